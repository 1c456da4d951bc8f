package io.autoglm.monitor.node;

import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.catalog.CatalogEntity;
import io.autoglm.monitor.sharding.catalog.EndpointAdmission;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Keeps the endpoints that a QPS rule watches running, so a quiet one still closes its windows and
 * a drop to zero fires: entities start only when a message reaches them, so after a node restart
 * (or a shard moving to another node) nothing would start an endpoint that gets no more traffic.
 * Every {@code interval} this lists the admitted endpoints ({@link EndpointAdmission#listing}) and
 * sends each one a QPS rule selects a {@link EndpointStatsEntity.Wake}; a running entity ignores
 * it. Other endpoints passivate when idle and come back with their next data.
 */
final class EndpointWaker {
  private EndpointWaker() {}

  sealed interface Msg {}

  private enum Tick implements Msg {
    INSTANCE
  }

  private record Listed(Map<String, CatalogEntity.Listing> byService, Throwable failure)
      implements Msg {}

  static Behavior<Msg> create(EndpointAdmission admission, RuleCache rules, Duration interval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  // a functional behavior's log is named after Pekko's class, not this one
                  ctx.setLoggerName(EndpointWaker.class);
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
                  ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
                  return Behaviors.receive(Msg.class)
                      .onMessageEquals(
                          Tick.INSTANCE,
                          () -> {
                            if (rules.rules().stream().anyMatch(r -> r.metric() == Metric.QPS)) {
                              ctx.pipeToSelf(admission.listing(), Listed::new);
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          Listed.class,
                          listed -> {
                            if (listed.failure() != null) {
                              ctx.getLog()
                                  .warn(
                                      "Could not list the endpoints to wake: {}",
                                      listed.failure().getMessage());
                              return Behaviors.same();
                            }
                            int woken = 0;
                            for (var e : listed.byService().entrySet()) {
                              for (String path : e.getValue().names()) {
                                EndpointKey key = new EndpointKey(e.getKey(), path);
                                if (watchedByQps(rules, key)) {
                                  sharding
                                      .entityRefFor(
                                          EndpointStatsEntity.ENTITY_TYPE_KEY, key.entityId())
                                      .tell(EndpointStatsEntity.Wake.INSTANCE);
                                  woken++;
                                }
                              }
                            }
                            ctx.getLog().debug("Woke {} QPS-watched endpoint(s)", woken);
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  private static boolean watchedByQps(RuleCache rules, EndpointKey key) {
    for (ThresholdRule r : rules.rules()) {
      if (r.metric() == Metric.QPS && r.appliesTo(key.service(), key.path())) {
        return true;
      }
    }
    return false;
  }
}
