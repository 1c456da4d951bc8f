package io.autoglm.monitor.node.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.sharding.stats.DeltaAggregator;
import io.autoglm.monitor.sharding.stats.EndpointDelta;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The last step of every ingest path: pre-aggregates a group of batches per endpoint (one
 * part per batch, so entities can drop replays) and sends one delta to each endpoint entity,
 * completing once every entity has persisted its share. At most one write per entity per call.
 */
public final class EntityWriter {
  /** One agent batch; {@code agentId} null for records without an agent identity. */
  public record Batch(String agentId, long epoch, long seq, List<CaptureRecord> records) {}

  public record Totals(long received, long accepted, long late, long duplicates, int endpoints) {
    /** Adds what the entities made of the records to an answer (the HTTP body, a stream ack). */
    public ObjectNode putCounts(ObjectNode answer) {
      answer.put("accepted", accepted);
      answer.put("late", late);
      answer.put("duplicates", duplicates);
      return answer;
    }
  }

  private final ClusterSharding sharding;
  private final StatsSettings stats;
  private final Duration timeout;

  public EntityWriter(ActorSystem<?> system, StatsSettings stats, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.stats = stats;
    this.timeout = timeout;
  }

  public CompletionStage<Totals> write(List<Batch> batches, String defaultService) {
    DeltaAggregator aggregator = new DeltaAggregator(stats, defaultService);
    long received = 0;
    for (Batch b : batches) {
      aggregator.beginBatch(b.agentId(), b.epoch(), b.seq());
      b.records().forEach(aggregator::add);
      received += b.records().size();
    }
    List<EndpointDelta> deltas = aggregator.drain();
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
      for (CompletableFuture<EndpointStatsEntity.IngestAck> f : acks) {
        EndpointStatsEntity.IngestAck ack = f.join();
        accepted += ack.accepted();
        late += ack.late();
        duplicates += ack.duplicates();
      }
      return new Totals(total, accepted, late, duplicates, deltas.size());
    });
  }
}
