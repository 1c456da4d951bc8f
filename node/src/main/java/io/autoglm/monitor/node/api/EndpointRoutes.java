package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.EndpointStatsState;
import io.autoglm.monitor.sharding.stats.EndpointStatsView;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@code GET /api/v1/endpoints}: every endpoint that ever received data (from the journal, so it
 * survives restarts). {@code GET /api/v1/endpoints/{id}/stats[?limit=N]}: an endpoint's open
 * windows, its newest N closed windows (default {@code autoglm.http.stats-windows}, 60) and its
 * alert states. The id is {@code service + path}, URL-encoded as one segment, e.g. {@code
 * default%2Fv1%2Fchat%2Fcompletions}.
 */
public final class EndpointRoutes extends AllDirectives {
  private static final String PREFIX = EndpointStatsEntity.ENTITY_TYPE_KEY.name() + "|";
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration timeout;

  private final int defaultWindows;

  /**
   * @param defaultWindows closed windows shown when the request names no {@code ?limit=}
   */
  public EndpointRoutes(ActorSystem<?> system, Duration timeout, int defaultWindows) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
    this.defaultWindows = defaultWindows;
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("endpoints"),
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                onSuccess(
                                    endpointIds(),
                                    ids -> complete(JsonSupport.ok(listJson(ids)))))),
                path(
                    PathMatchers.segment().slash("stats"),
                    id ->
                        get(
                            () ->
                                parameterOptional(
                                    "limit",
                                    limit -> {
                                      EndpointKey key;
                                      int n;
                                      try {
                                        key = EndpointKey.fromEntityId(id);
                                        n = limit.map(Integer::parseInt).orElse(defaultWindows);
                                        if (n < 0) {
                                          throw new NumberFormatException();
                                        }
                                      } catch (NumberFormatException e) {
                                        return complete(
                                            JsonSupport.error(
                                                StatusCodes.BAD_REQUEST,
                                                "query parameter 'limit' must be a non-negative integer"));
                                      } catch (IllegalArgumentException e) {
                                        return complete(
                                            JsonSupport.error(
                                                StatusCodes.BAD_REQUEST,
                                                "not an endpoint id (service + path, URL-encoded, e.g. default%2Fv1%2Fchat%2Fcompletions): "
                                                    + e.getMessage()));
                                      }
                                      return onSuccess(
                                          endpointIds(),
                                          ids -> {
                                            if (!ids.contains(key.entityId())) {
                                              return complete(
                                                  JsonSupport.error(
                                                      StatusCodes.NOT_FOUND,
                                                      "no data for endpoint '"
                                                          + key.entityId()
                                                          + "'"));
                                            }
                                            CompletionStage<EndpointStatsView> stats =
                                                sharding
                                                    .entityRefFor(
                                                        EndpointStatsEntity.ENTITY_TYPE_KEY,
                                                        key.entityId())
                                                    .ask(
                                                        replyTo ->
                                                            new EndpointStatsEntity.GetStats(
                                                                n, replyTo),
                                                        timeout);
                                            return onSuccess(
                                                stats,
                                                s -> complete(JsonSupport.ok(statsJson(key, s))));
                                          });
                                    })))));
  }

  private CompletionStage<List<String>> endpointIds() {
    CassandraReadJournal journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    return journal
        .currentPersistenceIds()
        .filter(pid -> pid.startsWith(PREFIX))
        .map(pid -> pid.substring(PREFIX.length()))
        .runWith(Sink.seq(), system)
        .thenApply(ids -> ids.stream().sorted().toList());
  }

  private static ObjectNode listJson(List<String> ids) {
    ObjectNode body = JsonSupport.object();
    ArrayNode list = body.putArray("endpoints");
    for (String id : ids) {
      EndpointKey key = EndpointKey.fromEntityId(id);
      ObjectNode e = list.addObject();
      e.put("id", id);
      e.put("service", key.service());
      e.put("path", key.path());
      e.put(
          "stats", "/api/v1/endpoints/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/stats");
    }
    return body;
  }

  static ObjectNode statsJson(EndpointKey key, EndpointStatsView s) {
    ObjectNode body = JsonSupport.object();
    body.put("id", key.entityId());
    body.put("service", key.service());
    body.put("path", key.path());
    body.put("accepted", s.accepted());
    body.put("late", s.late());
    body.put("future", s.future());
    putTime(body, "watermark", s.watermark());
    putTime(body, "newestEvent", s.newestEvent());
    ArrayNode open = body.putArray("open");
    s.open().forEach(w -> open.add(windowJson(w)));
    ArrayNode closed = body.putArray("closed");
    s.closed().forEach(w -> closed.add(windowJson(w)));
    ArrayNode alerts = body.putArray("alerts");
    for (RuleAlertState a : s.alerts()) {
      ObjectNode n = alerts.addObject();
      n.put("rule", a.ruleId());
      n.put("phase", a.phase().name().toLowerCase());
      putTime(n, "since", a.activeSince());
      if (a.alert() != null) {
        n.set("alert", AlertJson.of(a.alert()));
      }
    }
    return body;
  }

  static ObjectNode windowJson(WindowStats w) {
    ObjectNode n = JsonSupport.object();
    n.put("start", Instant.ofEpochMilli(w.start()).toString());
    n.put("end", Instant.ofEpochMilli(w.end()).toString());
    n.put("count", w.count());
    n.put("qps", w.qps());
    n.put("errors", w.errors());
    putNumber(n, "errorRate", w.errorRate());
    ObjectNode status = n.putObject("status");
    status.put("1xx", w.status1xx());
    status.put("2xx", w.status2xx());
    status.put("3xx", w.status3xx());
    status.put("4xx", w.status4xx());
    status.put("5xx", w.status5xx());
    ObjectNode latency = n.putObject("latencyMs");
    putNumber(latency, "p50", w.latencyQuantileMs(0.50));
    putNumber(latency, "p95", w.latencyQuantileMs(0.95));
    putNumber(latency, "p99", w.latencyQuantileMs(0.99));
    putNumber(latency, "mean", w.meanLatencyMs());
    ObjectNode tokens = n.putObject("tokens");
    tokens.put("prompt", w.promptTokens());
    tokens.put("completion", w.completionTokens());
    tokens.put("perSecond", w.tokensPerSecond());
    n.put("bytesIn", w.bytesIn());
    n.put("bytesOut", w.bytesOut());
    return n;
  }

  private static void putNumber(ObjectNode n, String field, double v) {
    if (Double.isNaN(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  private static void putTime(ObjectNode n, String field, long ms) {
    if (ms == EndpointStatsState.NONE) {
      n.putNull(field);
    } else {
      n.put(field, Instant.ofEpochMilli(ms).toString());
    }
  }
}
