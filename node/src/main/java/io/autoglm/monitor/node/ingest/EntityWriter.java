package io.autoglm.monitor.node.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.DecodeReport;
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
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The last step of every ingest path. Each batch is first pre-aggregated on its own, where it
 * was decoded ({@link #aggregate}): one part per endpoint, so entities can drop replays. Then
 * {@link #write} sends one delta per endpoint for a whole group of batches to the endpoint's
 * entity and completes once every entity has persisted its share: at most one write per
 * entity per call.
 */
public final class EntityWriter {
  /**
   * One agent batch, pre-aggregated: a delta per endpoint, each holding this batch's one part,
   * and what decoding made of its lines.
   */
  public record Batch(long seq, DecodeReport report, List<EndpointDelta> deltas) {
    /** The valid records the batch holds (late ones included; rejected lines are not). */
    public long records() {
      return report.accepted();
    }
  }

  public record Totals(long received, long accepted, long late, long duplicates, long future, int endpoints) {
    /** Adds what the entities made of the records to an answer (the HTTP body, a stream ack). */
    public ObjectNode putCounts(ObjectNode answer) {
      answer.put("accepted", accepted);
      answer.put("late", late);
      answer.put("duplicates", duplicates);
      answer.put("future", future);
      return answer;
    }
  }

  private final ClusterSharding sharding;
  private final StatsSettings stats;
  private final Duration timeout;
  private final LongSupplier wallClock;

  public EntityWriter(ActorSystem<?> system, StatsSettings stats, Duration timeout, LongSupplier wallClock) {
    this.sharding = ClusterSharding.get(system);
    this.stats = stats;
    this.timeout = timeout;
    this.wallClock = wallClock;
  }

  /**
   * Pre-aggregates one batch: {@code decode} is handed the consumer to feed the batch's records
   * to (e.g. {@link io.autoglm.monitor.protocols.capture.CaptureCodec#decodeLenient}). Any
   * thread may call this.
   *
   * @param agentId null for records without an agent identity
   */
  public Batch aggregate(String agentId, long epoch, long seq, String defaultService,
      Function<Consumer<CaptureRecord>, DecodeReport> decode) {
    DeltaAggregator aggregator = new DeltaAggregator(stats, defaultService, wallClock.getAsLong());
    aggregator.beginBatch(agentId, epoch, seq);
    DecodeReport report = decode.apply(aggregator::add);
    return new Batch(seq, report, aggregator.drain());
  }

  /** Sends the batches' deltas, one per endpoint with the parts in batch order, to the entities. */
  public CompletionStage<Totals> write(List<Batch> batches) {
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
    List<CompletableFuture<EndpointStatsEntity.IngestAck>> acks = deltas.stream()
        .map(d -> sharding.entityRefFor(EndpointStatsEntity.ENTITY_TYPE_KEY, d.key().entityId())
            .<EndpointStatsEntity.IngestAck>askWithStatus(replyTo -> new EndpointStatsEntity.Ingest(d, replyTo), timeout)
            .toCompletableFuture())
        .toList();
    long total = received;
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).thenApply(done -> {
      long accepted = 0;
      long late = 0;
      long duplicates = 0;
      long future = 0;
      for (CompletableFuture<EndpointStatsEntity.IngestAck> f : acks) {
        EndpointStatsEntity.IngestAck ack = f.join();
        accepted += ack.accepted();
        late += ack.late();
        duplicates += ack.duplicates();
        future += ack.future();
      }
      return new Totals(total, accepted, late, duplicates, future, deltas.size());
    });
  }
}
