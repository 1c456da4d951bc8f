package io.autoglm.monitor.node.api;

import io.autoglm.monitor.node.DataCenters;
import io.autoglm.monitor.notifier.group.AlertGroupEntity;
import io.autoglm.monitor.sharding.catalog.CatalogEntity;
import io.autoglm.monitor.sharding.ips.SourceIpGroupEntity;
import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/cluster}: the cluster as this node sees it: its members (address, status,
 * roles, data center, reachable from here), the leader, and per entity type the shards and entities
 * each node holds. A node whose sharding does not answer within the timeout is left out of the
 * counts ({@code shardsComplete: false}). Also the drills' {@link BlackholeRoutes}.
 *
 * <p>A member of another data center is unreachable while its data center is (Pekko watches the
 * link between data centers, not each node across it). Sharding is per data center, and so are the
 * counts: those of the nodes of this node's data center. The rule book and the alert groups run in
 * the home data center only ({@link DataCenters}); elsewhere their counts are empty.
 */
public final class ClusterRoutes extends AllDirectives {

  /** An entity type the counts are of; {@code home}: it runs in the home data center only. */
  private record Type(EntityTypeKey<?> key, boolean home) {}

  /** The entity types the counts are of, by their names in the answer. */
  private static final Map<String, Type> TYPES =
      Map.of(
          "endpoints", new Type(EndpointStatsEntity.ENTITY_TYPE_KEY, false),
          "sourceIpGroups", new Type(SourceIpGroupEntity.ENTITY_TYPE_KEY, false),
          "catalogs", new Type(CatalogEntity.ENTITY_TYPE_KEY, false),
          "ruleBook", new Type(RuleBookEntity.ENTITY_TYPE_KEY, true),
          "alertGroups", new Type(AlertGroupEntity.ENTITY_TYPE_KEY, true));

  public record MemberView(
      String address, String status, List<String> roles, String dataCenter, boolean reachable) {}

  /** What one node holds of one entity type. */
  public record Held(int shards, int entities) {}

  public record ClusterView(
      String self,
      String leader,
      List<MemberView> members,
      Map<String, Map<String, Held>> shards,
      boolean shardsComplete) {}

  private final ActorSystem<?> system;
  private final Duration timeout;
  private final DataCenters dataCenters;

  public ClusterRoutes(ActorSystem<?> system, Duration timeout, DataCenters dataCenters) {
    this.system = system;
    this.timeout = timeout;
    this.dataCenters = dataCenters;
  }

  public Route route() {
    return concat(
        path(
            PathMatchers.segment("api").slash("v1").slash("cluster"),
            () -> get(() -> onSuccess(view(), v -> complete(JsonSupport.ok(v))))),
        new BlackholeRoutes(system).route());
  }

  private CompletionStage<ClusterView> view() {
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    var unreachable = new TreeSet<String>();
    state.getUnreachable().forEach(m -> unreachable.add(m.address().toString()));
    // Pekko's unreachable members are those of this data center; another data center is watched
    // as a whole (by a few of the oldest nodes on each side), and is unreachable or not
    Set<String> unreachableDataCenters = state.getUnreachableDataCenters();
    List<MemberView> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      String address = m.address().toString();
      members.add(
          new MemberView(
              address,
              m.status().toString().toLowerCase(java.util.Locale.ROOT),
              m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList(),
              m.dataCenter(),
              !unreachable.contains(address) && !unreachableDataCenters.contains(m.dataCenter())));
    }
    String leader = state.getLeader() == null ? null : state.getLeader().toString();
    // the nodes whose regions answer: this data center's
    long regions = members.stream().filter(m -> m.dataCenter().equals(dataCenters.self())).count();
    Map<String, Map<String, Held>> shards = new ConcurrentSkipListMap<>();
    AtomicBoolean complete = new AtomicBoolean(true);
    CompletableFuture<?>[] asks = new CompletableFuture<?>[TYPES.size()];
    int i = 0;
    for (var type : TYPES.entrySet()) {
      asks[i++] =
          AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
                  ClusterSharding.get(system).shardState(),
                  replyTo -> new GetClusterShardingStats(type.getValue().key(), timeout, replyTo),
                  timeout.plusSeconds(1),
                  system.scheduler())
              .toCompletableFuture()
              .handle(
                  (stats, failure) -> {
                    Map<String, Held> byNode = new TreeMap<>();
                    boolean hostedHere = !type.getValue().home() || dataCenters.atHome();
                    if (hostedHere && (stats == null || stats.getRegions().size() < regions)) {
                      complete.set(false);
                    }
                    if (stats != null) {
                      stats
                          .getRegions()
                          .forEach(
                              (address, region) ->
                                  byNode.put(
                                      address.toString(),
                                      new Held(
                                          region.getStats().size(),
                                          // Scala's Int, seen from Java as an Object
                                          region.getStats().values().stream()
                                              .mapToInt(n -> ((Number) n).intValue())
                                              .sum())));
                    }
                    shards.put(type.getKey(), byNode);
                    return null;
                  });
    }
    return CompletableFuture.allOf(asks)
        .thenApply(
            done ->
                new ClusterView(
                    cluster.selfMember().address().toString(),
                    leader,
                    members,
                    shards,
                    complete.get()));
  }
}
