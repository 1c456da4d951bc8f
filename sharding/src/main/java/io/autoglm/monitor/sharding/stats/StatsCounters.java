package io.autoglm.monitor.sharding.stats;

import java.util.concurrent.atomic.LongAdder;

/** What this node's statistics entities have written, for benchmarks and (later) /metrics. */
public final class StatsCounters {
  /** Atomic journal writes: one per persist, however many events it holds. */
  public final LongAdder journalWrites = new LongAdder();

  public final LongAdder eventsPersisted = new LongAdder();
  public final LongAdder recordsAccepted = new LongAdder();
  public final LongAdder recordsDuplicate = new LongAdder();
  public final LongAdder recordsLate = new LongAdder();
  public final LongAdder recordsFuture = new LongAdder();
}
