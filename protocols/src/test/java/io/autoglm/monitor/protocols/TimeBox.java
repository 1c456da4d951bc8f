package io.autoglm.monitor.protocols;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a piece of a test on a daemon worker thread and fails the test when it does not finish in
 * time, so that a codec that hangs on hostile input fails the property (naming the input) instead
 * of hanging the build. Whatever the body throws is rethrown unchanged.
 */
public final class TimeBox {
  /** Far above what any single try needs, far below a build timeout. */
  public static final Duration DEFAULT = Duration.ofSeconds(5);

  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "timebox");
            t.setDaemon(true);
            return t;
          });

  private TimeBox() {}

  public static <T> T call(String what, Callable<T> body) {
    return call(DEFAULT, what, body);
  }

  public static void run(String what, Runnable body) {
    call(
        DEFAULT,
        what,
        () -> {
          body.run();
          return null;
        });
  }

  public static <T> T call(Duration limit, String what, Callable<T> body) {
    Future<T> f = POOL.submit(body);
    try {
      return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError(what + " did not finish within " + limit + " (a hang?)");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new AssertionError(what + " threw " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + " was interrupted", e);
    }
  }
}
