package io.autoglm.monitor.node.metrics;

import io.autoglm.monitor.sharding.catalog.CatalogEntity;
import io.autoglm.monitor.sharding.ips.SourceIpGroupEntity;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster as this node sees it: members by status and how many are unreachable (the same on
 * every node once gossip converges: aggregate with {@code max}, not {@code sum}), and the shards
 * and entities this node hosts per entity type (its own: {@code sum} over nodes is the cluster's).
 * Shards are counted every {@code shard-poll-interval} by asking sharding, not at scrape time.
 */
public final class ClusterMetrics implements MultiCollector {
  private static final List<EntityTypeKey<?>> TYPES =
      List.of(
          EndpointStatsEntity.ENTITY_TYPE_KEY,
          SourceIpGroupEntity.ENTITY_TYPE_KEY,
          CatalogEntity.ENTITY_TYPE_KEY);

  private static final List<MemberStatus> STATUSES =
      List.of(
          MemberStatus.joining(),
          MemberStatus.weaklyUp(),
          MemberStatus.up(),
          MemberStatus.leaving(),
          MemberStatus.exiting(),
          MemberStatus.down(),
          MemberStatus.removed());

  private record Hosted(int shards, int entities) {}

  private final ActorSystem<?> system;
  private final Map<String, Hosted> hosted = new ConcurrentHashMap<>();

  private ClusterMetrics(ActorSystem<?> system) {
    this.system = system;
  }

  /**
   * The metrics, with the actor that counts the shards this node hosts spawned on {@code system}.
   */
  public static ClusterMetrics start(ActorSystem<?> system, Duration pollInterval) {
    ClusterMetrics metrics = new ClusterMetrics(system);
    system.systemActorOf(metrics.poller(pollInterval), "metrics-shard-poller", Props.empty());
    return metrics;
  }

  private enum Poll {
    INSTANCE
  }

  private Behavior<Poll> poller(Duration interval) {
    return Behaviors.withTimers(
        timers -> {
          timers.startTimerWithFixedDelay(Poll.INSTANCE, Duration.ZERO, interval);
          return Behaviors.receiveMessage(
              poll -> {
                TYPES.forEach(type -> count(type, interval));
                return Behaviors.same();
              });
        });
  }

  private void count(EntityTypeKey<?> type, Duration timeout) {
    AskPattern.<GetShardRegionState, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState().narrow(),
            replyTo -> new GetShardRegionState(type, replyTo),
            timeout,
            system.scheduler())
        .whenComplete(
            (state, failure) -> {
              if (state != null) {
                int entities = 0;
                for (ShardRegion.ShardState s : state.getShards()) {
                  entities += s.getEntityIds().size();
                }
                hosted.put(type.name(), new Hosted(state.getShards().size(), entities));
              }
              // no answer (a region not started yet, a busy node): the last count stays
            });
  }

  @Override
  public MetricSnapshots collect() {
    Cluster cluster = Cluster.get(system);
    Map<MemberStatus, Integer> byStatus = new java.util.HashMap<>();
    for (Member m : cluster.state().getMembers()) {
      byStatus.merge(m.status(), 1, Integer::sum);
    }
    GaugeSnapshot.Builder members =
        GaugeSnapshot.builder()
            .name("autoglm_cluster_members")
            .help("Cluster members by status, as this node sees them");
    for (MemberStatus s : STATUSES) {
      members.dataPoint(gauge(Labels.of("status", statusName(s)), byStatus.getOrDefault(s, 0)));
    }
    GaugeSnapshot.Builder shards =
        GaugeSnapshot.builder()
            .name("autoglm_cluster_shards")
            .help("Shards this node hosts, per entity type");
    GaugeSnapshot.Builder entities =
        GaugeSnapshot.builder()
            .name("autoglm_cluster_entities")
            .help("Entities running on this node, per entity type");
    hosted.forEach(
        (type, h) -> {
          shards.dataPoint(gauge(Labels.of("entity_type", type), h.shards()));
          entities.dataPoint(gauge(Labels.of("entity_type", type), h.entities()));
        });
    boolean up = cluster.selfMember().status() == MemberStatus.up();
    return MetricSnapshots.of(
        members.build(),
        GaugeSnapshot.builder()
            .name("autoglm_cluster_unreachable_members")
            .help("Members this node's failure detector holds unreachable")
            .dataPoint(gauge(Labels.EMPTY, cluster.state().getUnreachable().size()))
            .build(),
        GaugeSnapshot.builder()
            .name("autoglm_cluster_self_up")
            .help("1 when this node is an Up member of the cluster")
            .dataPoint(gauge(Labels.EMPTY, up ? 1 : 0))
            .build(),
        shards.build(),
        entities.build());
  }

  private static String statusName(MemberStatus s) {
    return s.toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static GaugeDataPointSnapshot gauge(Labels labels, double value) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
