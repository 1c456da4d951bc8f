package io.autoglm.monitor.node.ingest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this node's agent streams hold in memory: records decoded but not yet acked, and the most
 * there ever were. Bounded by the stream settings, whatever the agents send, because a connection
 * stops reading while its flushes are persisting. Also counts the flush ticks that wrote to the
 * entities (each writes an endpoint's entity at most once), and for {@code /metrics} what this
 * node's ingest received and answered: a few increments per batch or request, never per record.
 */
public final class IngestCounters {
  private final AtomicLong recordsBuffered = new AtomicLong();
  private final AtomicLong maxRecordsBuffered = new AtomicLong();
  private final AtomicLong flushes = new AtomicLong();

  /** Batches decoded: agent stream frames and {@code POST /api/v1/ingest} bodies. */
  public final LongAdder batches = new LongAdder();

  /** Valid records in them. */
  public final LongAdder records = new LongAdder();

  /** Lines refused as invalid capture records (a stream batch's, or a refused body's first). */
  public final LongAdder invalidRecords = new LongAdder();

  /** {@code POST} bodies refused whole (400) for an invalid line. */
  public final LongAdder bodiesRefused = new LongAdder();

  /** Agent streams ended by a protocol error (a bad frame, header or size). */
  public final LongAdder protocolErrors = new LongAdder();

  /** Acks sent: one per stream flush confirmed, one per {@code POST} answered 200. */
  public final LongAdder acks = new LongAdder();

  /**
   * Writes to the entities not confirmed in time: a stream flush (its connection closes, the agent
   * resends) or a {@code POST} answered 503.
   */
  public final LongAdder writesUnconfirmed = new LongAdder();

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
