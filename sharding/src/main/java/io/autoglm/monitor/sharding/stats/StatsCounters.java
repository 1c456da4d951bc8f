package io.autoglm.monitor.sharding.stats;

import java.util.concurrent.atomic.LongAdder;

/** What this node's statistics entities have written, for benchmarks and {@code /metrics}. */
public final class StatsCounters {
  /** Atomic journal writes: one per persist, however many events it holds. */
  public final LongAdder journalWrites = new LongAdder();

  public final LongAdder eventsPersisted = new LongAdder();
  public final LongAdder recordsAccepted = new LongAdder();
  public final LongAdder recordsDuplicate = new LongAdder();
  public final LongAdder recordsLate = new LongAdder();
  public final LongAdder recordsFuture = new LongAdder();

  /** Entity restarts after a failure, a failed journal write above all. */
  public final LongAdder entityFailures = new LongAdder();

  /** Writes of minutes to the history that failed (each is tried again on the next tick). */
  public final LongAdder historyWriteFailures = new LongAdder();

  private final EndpointMeter meter;

  public StatsCounters() {
    this(EndpointMeter.NONE);
  }

  /**
   * @param meter told of every persisted delta and alert change ({@code /metrics})
   */
  public StatsCounters(EndpointMeter meter) {
    this.meter = meter;
  }

  public EndpointMeter meter() {
    return meter;
  }
}
