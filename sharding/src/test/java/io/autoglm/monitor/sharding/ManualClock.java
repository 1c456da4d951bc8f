package io.autoglm.monitor.sharding;

import java.util.concurrent.atomic.AtomicLong;

/** A {@link NodeClock} that moves only when the test moves it; both clocks move together. */
public final class ManualClock implements NodeClock {
  private final AtomicLong wallMillis;
  private final AtomicLong nanos = new AtomicLong();

  public ManualClock(long wallMillis) {
    this.wallMillis = new AtomicLong(wallMillis);
  }

  @Override
  public long wallMillis() {
    return wallMillis.get();
  }

  @Override
  public long monotonicNanos() {
    return nanos.get();
  }

  /** Sets the wall clock; the monotonic clock moves by as much (it never goes back). */
  public void set(long wallMillis) {
    advance(wallMillis - this.wallMillis.get());
  }

  /** Moves both clocks by {@code millis} (the wall clock may go back; the monotonic one not). */
  public void advance(long millis) {
    wallMillis.addAndGet(millis);
    if (millis > 0) {
      nanos.addAndGet(millis * 1_000_000);
    }
  }

  public long get() {
    return wallMillis.get();
  }
}
