package io.autoglm.monitor.node.ingest;

import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.DecodeReport;
import io.autoglm.monitor.protocols.wire.IngestAck;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.stats.BatchPart;
import io.autoglm.monitor.sharding.stats.DeltaAggregator;
import io.autoglm.monitor.sharding.stats.EndpointDelta;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The last step of every ingest path. Each batch is first pre-aggregated on its own, where it was
 * decoded ({@link #aggregate}): one part per endpoint, so entities can drop replays. Then {@link
 * #write} sends one delta per endpoint for a whole group of batches to the endpoint's entity and
 * completes once every entity has persisted its share: at most one write per entity per call.
 */
public final class EntityWriter {
  /**
   * One agent batch, pre-aggregated: a delta per endpoint, each holding this batch's one part, and
   * what decoding made of its lines.
   */
  public record Batch(long seq, DecodeReport report, List<EndpointDelta> deltas) {
    /** The valid records the batch holds (late ones included; rejected lines are not). */
    public long records() {
      return report.accepted();
    }
  }

  public record Totals(
      long received,
      long accepted,
      long late,
      long duplicates,
      long future,
      long expired,
      int endpoints) {
    /** The answer of a complete {@code POST /api/v1/ingest}. */
    public IngestAck ack() {
      return new IngestAck(received, accepted, late, duplicates, future, expired, endpoints);
    }
  }

  private final ClusterSharding sharding;
  private final StatsSettings stats;
  private final Duration timeout;
  private final NodeClock clock;

  public EntityWriter(
      ActorSystem<?> system, StatsSettings stats, Duration timeout, NodeClock clock) {
    this.sharding = ClusterSharding.get(system);
    this.stats = stats;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * Pre-aggregates one batch: {@code decode} is handed the consumer to feed the batch's records to
   * (e.g. {@link io.autoglm.monitor.protocols.capture.CaptureCodec#decodeLenient}). Any thread may
   * call this.
   *
   * @param agentId null for records without an agent identity
   */
  public Batch aggregate(
      String agentId,
      long epoch,
      long seq,
      String defaultService,
      Function<Consumer<CaptureRecord>, DecodeReport> decode) {
    DeltaAggregator aggregator = new DeltaAggregator(stats, defaultService, clock.wallMillis());
    aggregator.beginBatch(agentId, epoch, seq);
    DecodeReport report = decode.apply(aggregator::add);
    return new Batch(seq, report, aggregator.drain());
  }

  /** An endpoint whose share was sent but not confirmed persisted: it may or may not count. */
  public record Unconfirmed(String endpoint, long records, String reason) {}

  /**
   * What {@link #writeAll} achieved: {@code counted} sums the endpoints that confirmed (listed in
   * {@code confirmed}); the {@code unconfirmed} ones timed out or failed.
   */
  public record Outcome(Totals counted, List<String> confirmed, List<Unconfirmed> unconfirmed) {
    public boolean complete() {
      return unconfirmed.isEmpty();
    }

    public long unconfirmedRecords() {
      return unconfirmed.stream().mapToLong(Unconfirmed::records).sum();
    }
  }

  /** A write that did not complete: some endpoints did not confirm. */
  public static final class IncompleteWriteException extends RuntimeException {
    IncompleteWriteException(Outcome outcome) {
      super(
          outcome.unconfirmed().size()
              + " endpoint(s) did not confirm persisting "
              + outcome.unconfirmedRecords()
              + " record(s): "
              + outcome.unconfirmed().get(0).reason());
    }
  }

  /** What one endpoint's entity answered: its ack, or why there was none. */
  private record Reply(EndpointDelta delta, EndpointStatsEntity.IngestAck ack, Throwable failure) {}

  /**
   * Sends the batches' deltas and completes with the totals once every entity has persisted its
   * share; fails with {@link IncompleteWriteException} when one did not (in time).
   */
  public CompletionStage<Totals> write(List<Batch> batches) {
    return writeAll(batches)
        .thenApply(
            outcome -> {
              if (!outcome.complete()) {
                throw new IncompleteWriteException(outcome);
              }
              return outcome.counted();
            });
  }

  /**
   * Sends the batches' deltas, one per endpoint with the parts in batch order, to the entities, and
   * tells per endpoint whether its share was confirmed persisted. Never fails.
   */
  public CompletionStage<Outcome> writeAll(List<Batch> batches) {
    Map<EndpointKey, List<BatchPart>> parts = new LinkedHashMap<>();
    long received = 0;
    for (Batch b : batches) {
      for (EndpointDelta d : b.deltas()) {
        parts.computeIfAbsent(d.key(), k -> new ArrayList<>(batches.size())).addAll(d.parts());
      }
      received += b.records();
    }
    List<EndpointDelta> deltas = new ArrayList<>(parts.size());
    parts.forEach((key, list) -> deltas.add(new EndpointDelta(key, list)));
    List<CompletableFuture<Reply>> replies =
        deltas.stream()
            .map(
                d ->
                    sharding
                        .entityRefFor(EndpointStatsEntity.ENTITY_TYPE_KEY, d.key().entityId())
                        .<EndpointStatsEntity.IngestAck>askWithStatus(
                            replyTo -> new EndpointStatsEntity.Ingest(d, replyTo), timeout)
                        .handle((ack, failure) -> new Reply(d, ack, failure))
                        .toCompletableFuture())
            .toList();
    long total = received;
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              long accepted = 0;
              long late = 0;
              long duplicates = 0;
              long future = 0;
              long expired = 0;
              List<String> confirmed = new ArrayList<>(deltas.size());
              List<Unconfirmed> unconfirmed = new ArrayList<>();
              for (CompletableFuture<Reply> f : replies) {
                Reply reply = f.join();
                String endpoint = reply.delta().key().entityId();
                EndpointStatsEntity.IngestAck ack = reply.ack();
                if (ack == null) {
                  Throwable cause =
                      reply.failure() instanceof CompletionException c && c.getCause() != null
                          ? c.getCause()
                          : reply.failure();
                  unconfirmed.add(
                      new Unconfirmed(
                          endpoint,
                          reply.delta().parts().stream().mapToLong(BatchPart::records).sum(),
                          String.valueOf(cause.getMessage())));
                  continue;
                }
                confirmed.add(endpoint);
                accepted += ack.accepted();
                late += ack.late();
                duplicates += ack.duplicates();
                future += ack.future();
                expired += ack.expired();
              }
              return new Outcome(
                  new Totals(total, accepted, late, duplicates, future, expired, confirmed.size()),
                  List.copyOf(confirmed),
                  List.copyOf(unconfirmed));
            });
  }
}
