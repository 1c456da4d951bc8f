package io.autoglm.monitor.node.api;

import io.autoglm.monitor.persistence.cassandra.RollupStore;
import io.autoglm.monitor.sharding.DataCenterScope;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.catalog.EndpointAdmission;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.EndpointStatsView;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The endpoint routes. The id is {@code service + path}, URL-encoded as one segment, e.g. {@code
 * default%2Fv1%2Fchat%2Fcompletions}; an id the cluster never admitted is a 404.
 *
 * <ul>
 *   <li>{@code GET /api/v1/endpoints}: every endpoint the cluster admitted, from the catalogs
 *       ({@link EndpointList}; a few in-memory entities, never a journal scan);
 *   <li>{@code GET /api/v1/endpoints/{id}/stats[?limit=N]}: its totals, its newest N panes (default
 *       {@code autoglm.http.stats-panes}, 60), the minutes it keeps and its alert states;
 *   <li>{@code GET /api/v1/endpoints/{id}/series?metric=M[&from=&to=&step=]}: one metric over a
 *       range, from the per-minute history ({@link Series});
 *   <li>{@code GET /api/v1/endpoints/{id}/top-ips[?from=&to=&k=]}: the distinct source IPs and the
 *       busiest addresses and networks over a range, from the history ({@link TopIps}).
 * </ul>
 */
public final class EndpointRoutes extends AllDirectives {
  private static final String NOT_AN_ID =
      "not an endpoint id (service + path, URL-encoded, e.g. default%2Fv1%2Fchat%2Fcompletions): ";

  private final ClusterSharding sharding;
  private final DataCenterScope dataCenter;
  private final EndpointAdmission admission;
  private final RollupStore history;
  private final NodeClock clock;
  private final Settings settings;

  /**
   * @param askTimeout how long to wait for an entity or a catalog
   * @param defaultPanes panes shown when the request names no {@code ?limit=}
   * @param historyTtl how far back the history goes: the longest series range
   * @param maxPoints the most points a series may have
   */
  public record Settings(
      Duration askTimeout, int defaultPanes, Duration historyTtl, int maxPoints) {}

  public EndpointRoutes(
      ActorSystem<?> system,
      EndpointAdmission admission,
      RollupStore history,
      NodeClock clock,
      Settings settings) {
    this.admission = admission;
    this.history = history;
    this.clock = clock;
    this.settings = settings;
    this.sharding = ClusterSharding.get(system);
    this.dataCenter = DataCenterScope.of(system);
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
                                onSuccess(endpointList(), list -> complete(JsonSupport.ok(list))))),
                path(
                    PathMatchers.segment().slash("stats"),
                    id -> get(() -> knownEndpoint(id, this::stats))),
                path(
                    PathMatchers.segment().slash("series"),
                    id -> get(() -> knownEndpoint(id, this::series))),
                path(
                    PathMatchers.segment().slash("top-ips"),
                    id -> get(() -> knownEndpoint(id, this::topIps)))));
  }

  /** {@code inner} for the endpoint {@code id}, or a 400 (not an id) or 404 (never admitted). */
  private Route knownEndpoint(String id, Function<EndpointKey, Route> inner) {
    EndpointKey key;
    try {
      key = EndpointKey.fromEntityId(id);
    } catch (IllegalArgumentException e) {
      return complete(JsonSupport.error(StatusCodes.BAD_REQUEST, NOT_AN_ID + e.getMessage()));
    }
    return onSuccess(
        admission.isAdmitted(key),
        admitted ->
            admitted
                ? inner.apply(key)
                : complete(
                    JsonSupport.error(
                        StatusCodes.NOT_FOUND, "no data for endpoint '" + key.entityId() + "'")));
  }

  private Route stats(EndpointKey key) {
    return parameterOptional(
        "limit",
        limit -> {
          int n;
          try {
            n = limit.map(Integer::parseInt).orElse(settings.defaultPanes());
            if (n < 0) {
              throw new NumberFormatException();
            }
          } catch (NumberFormatException e) {
            return complete(
                JsonSupport.error(
                    StatusCodes.BAD_REQUEST,
                    "query parameter 'limit' must be a non-negative integer"));
          }
          CompletionStage<EndpointStatsView> stats =
              sharding
                  .entityRefFor(EndpointStatsEntity.ENTITY_TYPE_KEY, key.entityId())
                  .ask(
                      replyTo -> new EndpointStatsEntity.GetStats(n, replyTo),
                      settings.askTimeout());
          return onSuccess(stats, s -> complete(JsonSupport.ok(EndpointStats.of(key, s))));
        });
  }

  private Route series(EndpointKey key) {
    return SeriesRoute.series(history, historyEntity(key), key.entityId(), clock, settings);
  }

  private Route topIps(EndpointKey key) {
    return parameterOptional(
        "from",
        from ->
            parameterOptional(
                "to",
                to ->
                    parameterOptional(
                        "k",
                        k -> {
                          TopIps.Query q;
                          try {
                            q =
                                TopIps.Query.parse(
                                    from,
                                    to,
                                    k,
                                    clock.wallMillis(),
                                    settings.historyTtl().toMillis());
                          } catch (Series.InvalidParameter e) {
                            return complete(
                                JsonSupport.json(
                                    StatusCodes.BAD_REQUEST,
                                    ErrorBody.ofField(e.getMessage(), e.parameter(), e.reason())));
                          }
                          return onSuccess(
                              history.read(historyEntity(key), q.fromMs(), q.toMs()),
                              minutes ->
                                  complete(JsonSupport.ok(TopIps.of(key.entityId(), q, minutes))));
                        })));
  }

  /** This data center's minutes of the endpoint (each data center counts its own traffic). */
  private String historyEntity(EndpointKey key) {
    return EndpointStatsEntity.historyEntity(dataCenter, key);
  }

  private CompletionStage<EndpointList> endpointList() {
    return admission
        .listing()
        .thenApply(
            byService ->
                EndpointList.of(
                    byService,
                    byService.size() >= admission.limits().maxServices(),
                    admission.limits().normalizer().strict()));
  }
}
