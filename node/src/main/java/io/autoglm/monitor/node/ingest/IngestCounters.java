package io.autoglm.monitor.node.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node's agent streams hold in memory: records decoded but not yet acked, and the most
 * there ever were. Bounded by the stream settings, whatever the agents send, because a connection
 * stops reading while its flushes are persisting. Also counts the flush ticks that wrote to the
 * entities (each writes an endpoint's entity at most once).
 */
public final class IngestCounters {
  private final AtomicLong recordsBuffered = new AtomicLong();
  private final AtomicLong maxRecordsBuffered = new AtomicLong();
  private final AtomicLong flushes = new AtomicLong();

  void add(long records) {
    maxRecordsBuffered.accumulateAndGet(recordsBuffered.addAndGet(records), Math::max);
  }

  void remove(long records) {
    recordsBuffered.addAndGet(-records);
  }

  void flushed() {
    flushes.incrementAndGet();
  }

  /** Flush ticks of all agent streams so far that wrote to the entities. */
  public long flushes() {
    return flushes.get();
  }

  public long recordsBuffered() {
    return recordsBuffered.get();
  }

  public long maxRecordsBuffered() {
    return maxRecordsBuffered.get();
  }
}
