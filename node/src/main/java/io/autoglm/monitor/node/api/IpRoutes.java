package io.autoglm.monitor.node.api;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import io.autoglm.monitor.persistence.cassandra.RollupStore;
import io.autoglm.monitor.sharding.DataCenterScope;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.ips.IpAdmission;
import io.autoglm.monitor.sharding.ips.IpKey;
import io.autoglm.monitor.sharding.ips.SourceIpGroupEntity;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The source IP routes; an id is {@code service/ip}, URL-encoded as one segment, e.g. {@code
 * default%2F10.0.0.7}.
 *
 * <ul>
 *   <li>{@code GET /api/v1/ips}: the IPs tracked now (heavy hitters and those rules name), and how
 *       many were refused at {@code autoglm.ips.max-tracked};
 *   <li>{@code GET /api/v1/ips/{id}/stats}: a tracked IP's statistics (404 if not tracked);
 *   <li>{@code GET /api/v1/ips/{id}/series?metric=M[&from=&to=&step=]}: its per-minute history
 *       (latency and bytes are not kept per IP).
 * </ul>
 */
public final class IpRoutes extends AllDirectives {
  private final ClusterSharding sharding;
  private final DataCenterScope dataCenter;
  private final IpAdmission ips;
  private final RollupStore history;
  private final NodeClock clock;
  private final EndpointRoutes.Settings settings;

  public IpRoutes(
      ActorSystem<?> system,
      IpAdmission ips,
      RollupStore history,
      NodeClock clock,
      EndpointRoutes.Settings settings) {
    this.sharding = ClusterSharding.get(system);
    this.dataCenter = DataCenterScope.of(system);
    this.ips = ips;
    this.history = history;
    this.clock = clock;
    this.settings = settings;
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("ips"),
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                complete(
                                    JsonSupport.ok(
                                        IpStats.IpList.of(ips.trackedIps(), ips.refused()))))),
                path(
                    PathMatchers.segment().slash("stats"),
                    id -> get(() -> withKey(id, this::stats))),
                path(
                    PathMatchers.segment().slash("series"),
                    id ->
                        get(
                            () ->
                                withKey(
                                    id,
                                    key ->
                                        SeriesRoute.series(
                                            history,
                                            SourceIpGroupEntity.historyEntity(dataCenter, key),
                                            key.entityId(),
                                            clock,
                                            settings))))));
  }

  private Route withKey(String id, Function<IpKey, Route> inner) {
    IpKey key;
    try {
      key = IpKey.fromEntityId(id);
    } catch (IllegalArgumentException e) {
      return complete(
          JsonSupport.error(
              StatusCodes.BAD_REQUEST,
              "not a source IP id (service/ip, URL-encoded, e.g. default%2F10.0.0.7): "
                  + e.getMessage()));
    }
    return inner.apply(key);
  }

  private Route stats(IpKey key) {
    if (!ips.isTracked(key)) {
      return complete(
          json(
              StatusCodes.NOT_FOUND,
              ErrorBody.of("source IP '" + key.entityId() + "' is not tracked")));
    }
    CompletionStage<SourceIpGroupEntity.IpStatsReply> stats =
        sharding
            .entityRefFor(SourceIpGroupEntity.ENTITY_TYPE_KEY, ips.groupOf(key).entityId())
            .ask(
                replyTo -> new SourceIpGroupEntity.GetStats(key.entityId(), replyTo),
                settings.askTimeout());
    return onSuccess(
        stats,
        r ->
            r.view() == null
                ? complete(
                    json(
                        StatusCodes.NOT_FOUND,
                        ErrorBody.of("source IP '" + key.entityId() + "' has no statistics yet")))
                : complete(JsonSupport.ok(IpStats.of(key, r.view()))));
  }
}
