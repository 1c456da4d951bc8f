package io.autoglm.monitor.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * JVM settings a node needs before anything else runs; each {@code main} calls {@link #apply()}
 * first.
 *
 * <p>A Pekko ask's {@code CompletionStage} (Scala's future converted) runs every dependent stage
 * asynchronously on the JDK's default executor, and on a machine with two cores that executor is
 * not the common pool (its parallelism is cores - 1 = 1) but a new thread per task: a node started
 * a thread for every answer an entity gave the ingest writer, 17,000 in a 20 s backtest. With a
 * common pool of at least two threads those stages run on it instead. (Java 25 runs them on the
 * common pool whatever its size; Java 17, the build's target, does not.)
 */
public final class JvmDefaults {
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  private JvmDefaults() {}

  /**
   * Sizes the common pool to at least two threads unless the command line set it. Must run before
   * the first use of {@link ForkJoinPool} or {@link CompletableFuture}.
   */
  public static void apply() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      int cores = Runtime.getRuntime().availableProcessors();
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(2, cores - 1)));
    }
  }

  /**
   * Whether dependent stages run on a pool rather than a new thread each: false when the common
   * pool was sized before {@link #apply()} ran (or set to 1).
   */
  public static boolean asyncStagesPooled() {
    return ForkJoinPool.getCommonPoolParallelism() > 1;
  }
}
