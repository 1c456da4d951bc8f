package io.autoglm.monitor.sharding.detect;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap a node lets its endpoints' detector histories ({@link MinuteHistory}) take, all together
 * ({@code autoglm.stats.detector-history-budget}). A rule decides how far back each endpoint it
 * watches keeps one value per minute: a week of minutes for a {@code change 7d} rule on every
 * endpoint of a full catalog would be gigabytes. Histories reserve what they grow by and give it
 * back when their entity stops; a history refused more keeps what it has, and the rules that need
 * more of it cannot judge yet (they read no value), which {@link #refusals} counts.
 */
public final class HistoryBudget {
  /** No limit: tests, backtests and series, which hold one run's subjects. */
  public static final HistoryBudget UNLIMITED = new HistoryBudget(Long.MAX_VALUE);

  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();

  public HistoryBudget(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException(
          "autoglm.stats.detector-history-budget must not be negative, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** Takes {@code bytes} more if they fit; false (and counted) otherwise. */
  public boolean reserve(long bytes) {
    if (bytes <= 0) {
      return true;
    }
    long before = used.getAndAccumulate(bytes, (u, b) -> u + b <= maxBytes ? u + b : u);
    if (before + bytes <= maxBytes) {
      return true;
    }
    refusals.incrementAndGet();
    return false;
  }

  /** Gives {@code bytes} back. */
  public void release(long bytes) {
    if (bytes > 0) {
      used.addAndGet(-bytes);
    }
  }

  public long usedBytes() {
    return used.get();
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** How many times a history was refused room. */
  public long refusals() {
    return refusals.get();
  }
}
