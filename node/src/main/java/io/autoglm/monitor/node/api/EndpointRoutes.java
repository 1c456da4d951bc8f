package io.autoglm.monitor.node.api;

import io.autoglm.monitor.sharding.catalog.EndpointAdmission;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.EndpointStatsView;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/endpoints}: every endpoint the cluster admitted, from the catalogs ({@link
 * EndpointList}; a few in-memory entities, never a journal scan). {@code GET
 * /api/v1/endpoints/{id}/stats[?limit=N]}: an endpoint's totals, its newest N panes (default {@code
 * autoglm.http.stats-panes}, 60), the minutes it keeps and its alert states. The id is {@code
 * service + path}, URL-encoded as one segment, e.g. {@code default%2Fv1%2Fchat%2Fcompletions}.
 */
public final class EndpointRoutes extends AllDirectives {
  private final ClusterSharding sharding;
  private final EndpointAdmission admission;
  private final Duration timeout;

  private final int defaultPanes;

  /**
   * @param defaultPanes panes shown when the request names no {@code ?limit=}
   */
  public EndpointRoutes(
      ActorSystem<?> system, EndpointAdmission admission, Duration timeout, int defaultPanes) {
    this.admission = admission;
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
    this.defaultPanes = defaultPanes;
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
                                        n = limit.map(Integer::parseInt).orElse(defaultPanes);
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
                                          admission.isAdmitted(key),
                                          admitted -> {
                                            if (!admitted) {
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
                                                s ->
                                                    complete(
                                                        JsonSupport.ok(EndpointStats.of(key, s))));
                                          });
                                    })))));
  }

  private CompletionStage<EndpointList> endpointList() {
    return admission
        .listing()
        .thenApply(
            byService -> {
              int maxServices = admission.limits().maxServices();
              return EndpointList.of(
                  byService,
                  byService.size() >= maxServices,
                  admission.limits().normalizer().strict());
            });
  }
}
