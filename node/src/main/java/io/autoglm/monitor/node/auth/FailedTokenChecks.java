package io.autoglm.monitor.node.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Counts the failed token checks (401s: an unknown, revoked or malformed token) of each client
 * address, and refuses an address that had {@code max} of them in a window until the window ends,
 * without checking its tokens: guessing tokens is slow, and a stream of made-up token ids is not a
 * stream of Cassandra reads. A window starts at an address's first failure. At most {@value
 * #ADDRESSES} addresses are remembered (the least recent forgotten), so a spray from many addresses
 * costs bounded memory.
 */
public final class FailedTokenChecks {
  static final int ADDRESSES = 100_000;

  private record Window(long startNanos, AtomicInteger failures) {}

  private final int max;
  private final Duration window;
  private final LongSupplier nanoTime;
  private final Cache<InetAddress, Window> windows;

  /** {@code max} 0: never refuse. */
  public FailedTokenChecks(int max, Duration window) {
    this(max, window, System::nanoTime);
  }

  FailedTokenChecks(int max, Duration window, LongSupplier nanoTime) {
    this.max = max;
    this.window = window;
    this.nanoTime = nanoTime;
    this.windows =
        Caffeine.newBuilder()
            .maximumSize(ADDRESSES)
            .expireAfterWrite(window)
            .ticker(nanoTime::getAsLong)
            .build();
  }

  /** Seconds until {@code address} may try again, if it is refused now. */
  public OptionalLong refusedFor(InetAddress address) {
    if (max == 0) {
      return OptionalLong.empty();
    }
    Window w = windows.getIfPresent(address);
    if (w == null || w.failures().get() < max) {
      return OptionalLong.empty();
    }
    long leftNanos = window.toNanos() - (nanoTime.getAsLong() - w.startNanos());
    return OptionalLong.of(Math.max(1, (leftNanos + 999_999_999L) / 1_000_000_000L));
  }

  /** A token from {@code address} was refused (401). */
  public void failed(InetAddress address) {
    if (max > 0) {
      windows
          .get(address, a -> new Window(nanoTime.getAsLong(), new AtomicInteger()))
          .failures()
          .incrementAndGet();
    }
  }
}
