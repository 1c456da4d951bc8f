package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.TestRecords;
import io.autoglm.monitor.sharding.DataCenterScope;
import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules on a two-node cluster. A node that missed a rule change on pub-sub picks it up from the
 * rule book within seconds. A rule confirmed by {@code "endpoints"}: two endpoints whose entities
 * live on different nodes confirm each other's breaches through the nodes' shared breach boards,
 * and one endpoint failing alone raises nothing.
 */
class RulesAcrossNodesIT {
  private static final int ENDPOINTS = 12;
  private static TwoNodes nodes;
  private static Node first;
  private static Node second;

  @BeforeAll
  static void start() {
    nodes = TwoNodes.start(NodeFixture.freshConfig(Map.of()));
    first = nodes.first();
    second = nodes.second();
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static String path(int i) {
    return "/v1/e" + i;
  }

  /** One second of traffic on every endpoint, 20 requests each, 60 % failing on {@code failing}. */
  private static void second(int s, Set<String> failing) {
    List<CaptureRecord> records = new ArrayList<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      records.addAll(
          TestRecords.traffic(path(i), s, s + 1, 20, failing.contains(path(i)) ? 0.6 : 0));
    }
    TestHttp.Reply r =
        new TestHttp(first.baseUrl()).post("/api/v1/ingest", TestRecords.ndjson(records));
    assertEquals(200, r.status(), r.body());
  }

  /** The endpoint entities {@code node} hosts, by path. */
  private static Set<String> hostedBy(Node node) throws Exception {
    ShardRegion.CurrentShardRegionState state =
        AskPattern.<GetShardRegionState, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(node.system()).shardState().narrow(),
                replyTo -> new GetShardRegionState(EndpointStatsEntity.ENTITY_TYPE_KEY, replyTo),
                Duration.ofSeconds(10),
                node.system().scheduler())
            .toCompletableFuture()
            .get();
    Set<String> paths = new TreeSet<>();
    for (ShardRegion.ShardState shard : state.getShards()) {
      for (String id : shard.getEntityIds()) {
        paths.add(id.substring(id.indexOf('/')));
      }
    }
    return paths;
  }

  /**
   * The endpoints whose latest alert is firing, with its explanation (the alert list holds every
   * change, newest first; each node sees the whole cluster's).
   */
  private static Map<String, String> firing() {
    Map<String, String> latest = new TreeMap<>();
    Set<String> seen = new TreeSet<>();
    for (JsonNode a : new TestHttp(first.baseUrl()).get("/api/v1/alerts").json().get("alerts")) {
      String endpoint = a.get("endpoint").asText();
      if (seen.add(endpoint) && a.get("status").asText().equals("firing")) {
        latest.put(endpoint, a.path("explanation").asText());
      }
    }
    return latest;
  }

  /**
   * The rule topic only sends to nodes it knows of, and learns of a node a few seconds after it
   * joined: a change made in that time is lost to the node. An updater whose topic delivers nothing
   * still gets the change, from its periodic check of the rule book (on the other node or this).
   */
  @Test
  void aRuleChangeMissedOnPubSubReachesTheNodeByItsPeriodicCheck() throws Exception {
    ActorRef<Topic.Command<RuleSet>> deaf =
        second
            .system()
            .systemActorOf(
                Behaviors.<Topic.Command<RuleSet>>ignore(), "deaf-rule-topic", Props.empty());
    RuleCache cache = new RuleCache();
    CompletableFuture<RuleSet> loaded = new CompletableFuture<>();
    second
        .system()
        .systemActorOf(
            RuleCacheUpdater.create(
                deaf,
                RuleBookEntity.ref(second.system(), DataCenterScope.DEFAULT_DATA_CENTER),
                cache,
                Duration.ofSeconds(10),
                Duration.ofMillis(200),
                Duration.ofMillis(500),
                loaded),
            "rule-cache-without-pubsub",
            Props.empty());
    long before = loaded.get(30, TimeUnit.SECONDS).version();

    TestHttp.Reply put =
        new TestHttp(first.baseUrl())
            .put(
                "/api/v1/rules/missed-on-pubsub",
                "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.99,"
                    + " \"window\": \"5s\", \"endpoint\": \"/never/*\"}");
    assertTrue(put.status() / 100 == 2, put.body());
    for (long until = System.nanoTime() + 15_000_000_000L;
        !cache.current().rules().containsKey("missed-on-pubsub") && System.nanoTime() < until; ) {
      Thread.sleep(100);
    }
    assertTrue(
        cache.current().rules().containsKey("missed-on-pubsub"),
        "the rule reached the cache: " + cache.current().rules().keySet());
    assertTrue(cache.current().version() > before);
  }

  /** {@code GET /api/v1/cluster} on either node: both members, and the endpoints each holds. */
  @Test
  void eitherNodeDescribesTheWholeCluster() throws Exception {
    // endpoints of its own (an endpoint's event time is its own: the other test's start at 0)
    List<CaptureRecord> records = new ArrayList<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      records.addAll(TestRecords.traffic("/v1/c" + i, 0, 2, 20, 0));
    }
    assertEquals(
        200,
        new TestHttp(first.baseUrl()).post("/api/v1/ingest", TestRecords.ndjson(records)).status());
    Set<String> onFirst = hostedBy(first);
    Set<String> onSecond = hostedBy(second);
    for (Node node : List.of(first, second)) {
      TestHttp.Reply r = new TestHttp(node.baseUrl()).get("/api/v1/cluster");
      assertEquals(200, r.status(), r.body());
      JsonNode c = r.json();
      assertEquals(2, c.get("members").size(), r.body());
      for (JsonNode m : c.get("members")) {
        assertEquals("up", m.get("status").asText(), r.body());
        assertTrue(m.get("reachable").asBoolean(), r.body());
        assertEquals("default", m.get("dataCenter").asText(), r.body());
      }
      assertTrue(c.get("leader").isTextual(), r.body());
      assertTrue(c.get("shardsComplete").asBoolean(), r.body());
      JsonNode endpoints = c.get("shards").get("endpoints");
      String firstAddress = first.system().address().toString();
      String secondAddress = second.system().address().toString();
      assertEquals(onFirst.size(), endpoints.get(firstAddress).get("entities").asInt(), r.body());
      assertEquals(onSecond.size(), endpoints.get(secondAddress).get("entities").asInt(), r.body());
      assertTrue(
          onFirst.size() + onSecond.size() >= ENDPOINTS,
          "every endpoint somewhere: " + onFirst + " / " + onSecond);
      assertEquals(node.system().address().toString(), c.get("self").asText());
    }
  }

  @Test
  void endpointsOnTwoNodesConfirmEachOtherAndOneAloneRaisesNothing() throws Exception {
    TestHttp http = new TestHttp(first.baseUrl());
    TestHttp.Reply put =
        http.put(
            "/api/v1/rules/errors",
            "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.2, \"window\": \"5s\","
                + " \"endpoint\": \"/v1/*\", \"confirm_with\": [\"endpoints\"]}");
    assertTrue(put.status() / 100 == 2, put.body());
    for (int s = 0; s < 10; s++) {
      second(s, Set.of());
    }
    Set<String> onFirst = hostedBy(first);
    Set<String> onSecond = hostedBy(second);
    onFirst.removeIf(p -> !p.startsWith("/v1/e")); // this test's endpoints
    onSecond.removeIf(p -> !p.startsWith("/v1/e"));
    assertTrue(
        !onFirst.isEmpty() && !onSecond.isEmpty(),
        "the endpoints spread over both nodes: " + onFirst + " / " + onSecond);
    String a = onFirst.iterator().next();
    String b = onSecond.iterator().next();

    // both failing: each fires once it has seen the other's breach, shared across the nodes
    int s = 10;
    Map<String, String> firing = firing();
    for (; s < 60 && !(firing.containsKey(a) && firing.containsKey(b)); s++) {
      second(s, Set.of(a, b));
      // a peer's breach counts within 15 s of event time, and this test moves event time a
      // second a step: give the breach spans the wall time pub-sub between the nodes takes
      Thread.sleep(400);
      firing = firing();
    }
    assertEquals(Set.of(a, b), firing.keySet(), "both fired, nothing else: " + firing);
    assertTrue(firing.get(a).endsWith("confirmed by " + b + " breaching it too"), firing.get(a));
    assertTrue(firing.get(b).endsWith("confirmed by " + a + " breaching it too"), firing.get(b));

    // all clean until both resolved and the breaches are past the 15 s slack
    for (int end = s + 30; s < end; s++) {
      second(s, Set.of());
    }
    assertEquals(Map.of(), firing(), "resolved");

    // the rule is live; now a alone fails for 30 s: its own business, no alert
    for (int end = s + 30; s < end; s++) {
      second(s, Set.of(a));
      Thread.sleep(20);
    }
    assertEquals(Map.of(), firing(), "one endpoint alone raises nothing");
  }
}
