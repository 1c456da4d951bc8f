package io.autoglm.monitor.node.ingest;

import static io.autoglm.monitor.node.api.JsonSupport.error;
import static io.autoglm.monitor.node.api.JsonSupport.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.node.NodeSettings;
import io.autoglm.monitor.node.api.JsonSupport;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureFormatException;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.sharding.stats.DeltaAggregator;
import io.autoglm.monitor.sharding.stats.EndpointDelta;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * {@code POST /api/v1/ingest}: a body of capture records as NDJSON (optionally gzip or deflate
 * encoded, {@code Content-Encoding}), at most {@code autoglm.http.max-ingest-bytes} after
 * decoding. The body is all-or-nothing: one invalid line answers 400 naming the line and
 * field, and nothing is counted. Otherwise the records are pre-aggregated per endpoint and
 * window and the reply (200) comes once every endpoint entity has persisted its share.
 *
 * <p>{@code ?service=NAME} sets the service of records that carry none.
 */
public final class IngestRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final StatsSettings stats;
  private final NodeSettings node;

  public IngestRoutes(ActorSystem<?> system, StatsSettings stats, NodeSettings node) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.stats = stats;
    this.node = node;
  }

  public Route route() {
    return path(PathMatchers.segment("api").slash("v1").slash("ingest"), () ->
        post(() -> parameterOptional("service", service -> {
          Optional<String> invalid = service.filter(s -> !CaptureRecord.isValidServiceName(s));
          if (invalid.isPresent()) {
            ObjectNode body = error("invalid query parameter 'service': must be 1..64 of [A-Za-z0-9._-]");
            body.put("field", "service");
            return complete(json(StatusCodes.BAD_REQUEST, body));
          }
          String defaultService = service.orElse(node.defaultService());
          return withSizeLimit(node.maxIngestBytes(), () -> decodeRequest(() ->
              extractDataBytes(data -> {
                // the limit applies again after decoding: a small gzip body may inflate past it
                CompletionStage<ByteString> body = data
                    .limitWeighted(node.maxIngestBytes(), chunk -> (long) chunk.size())
                    .runFold(ByteString.emptyByteString(), ByteString::concat, system);
                return onComplete(body.thenCompose(bytes -> ingest(bytes, defaultService)), done -> done.fold(
                    failure -> {
                      throw failure instanceof RuntimeException re ? re : new IllegalStateException(failure);
                    },
                    response -> complete(response)));
              })));
        })));
  }

  private CompletionStage<org.apache.pekko.http.javadsl.model.HttpResponse> ingest(ByteString bytes,
      String defaultService) {
    List<CaptureRecord> records;
    try {
      records = CaptureCodec.decodeAll(bytes.toArrayUnsafe());
    } catch (CaptureFormatException e) {
      ObjectNode body = error("invalid capture record: " + e.getMessage());
      body.put("line", e.line());
      if (e.field() != null) {
        body.put("field", e.field());
      } else {
        body.putNull("field");
      }
      body.put("reason", e.reason());
      return CompletableFuture.completedFuture(json(StatusCodes.BAD_REQUEST, body));
    }
    DeltaAggregator aggregator = new DeltaAggregator(stats, defaultService);
    records.forEach(aggregator::add);
    List<EndpointDelta> deltas = aggregator.drain();
    List<CompletableFuture<EndpointStatsEntity.IngestAck>> acks = deltas.stream()
        .map(d -> sharding.entityRefFor(EndpointStatsEntity.ENTITY_TYPE_KEY, d.key().entityId())
            .<EndpointStatsEntity.IngestAck>askWithStatus(
                replyTo -> new EndpointStatsEntity.Ingest(d, replyTo), node.ingestTimeout())
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).handle((ignored, failure) -> {
      if (failure != null) {
        system.log().warn("Ingest of {} records did not complete: {}", records.size(), failure.toString());
        return JsonSupport.error(StatusCodes.SERVICE_UNAVAILABLE,
            "the records could not all be persisted in time; retry the request: " + failure.getMessage());
      }
      long accepted = 0;
      long late = 0;
      for (CompletableFuture<EndpointStatsEntity.IngestAck> ack : acks) {
        accepted += ack.join().accepted();
        late += ack.join().late();
      }
      ObjectNode body = JsonSupport.object();
      body.put("received", records.size());
      body.put("accepted", accepted);
      body.put("late", late);
      body.put("endpoints", deltas.size());
      return JsonSupport.ok(body);
    });
  }
}
