package io.autoglm.monitor.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.testkit.TestCassandra;
import io.autoglm.monitor.protocols.wire.AlertFeedClient;
import io.autoglm.monitor.sharding.DataCenterScope;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two data centers of one node each, on loopback and one Cassandra: node A in dc1, the home data
 * center (the rule book and the notifier run there), node B in dc2. Each data center runs its own
 * shards: the same endpoint counted in both is two entities with two persistence ids, each counting
 * what its data center was sent. Rules are one book for both: a rule put through either node is in
 * effect on the other's endpoints within seconds. An alert raised in dc2 is on dc1's feed, and the
 * one notifier sends it once.
 */
class TwoDataCentersIT {
  private static final Duration WITHIN = Duration.ofSeconds(30);

  /** How soon a rule put in one data center must be in effect in the other. */
  private static final Duration RULE_WITHIN = Duration.ofSeconds(5);

  /**
   * How long the receiver is watched for a second notification of one alert: past the notifier's
   * journal reading (about two seconds behind), which a second notifier would also act on.
   */
  private static final Duration NO_SECOND_NOTIFICATION = Duration.ofSeconds(6);

  private static WebhookReceiver webhook;
  private static String keyspace;
  private static Node a;
  private static Node b;

  @BeforeAll
  static void start() throws Exception {
    webhook = new WebhookReceiver();
    Config base =
        NodeFixture.freshConfig(
            Map.of("autoglm.notifier.webhook.url", webhook.url(), DataCenters.HOME, "dc1"));
    keyspace = base.getString("pekko.persistence.cassandra.journal.keyspace");
    a = Node.start(inDataCenter("dc1", base));
    try {
      b =
          Node.start(
              NodeFixture.clusterMember(inDataCenter("dc2", base), NodeFixture.clusterPort(a), 0));
    } catch (RuntimeException e) {
      a.close();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (b != null) {
        b.close();
      }
    } finally {
      if (a != null) {
        a.close();
      }
      if (webhook != null) {
        webhook.close();
      }
    }
  }

  private static Config inDataCenter(String dataCenter, Config base) {
    return ConfigFactory.parseMap(Map.of(DataCenterScope.SELF_DATA_CENTER, dataCenter))
        .withFallback(base);
  }

  private static String address(Node node) {
    return node.system().address().toString();
  }

  private static TestHttp http(Node node) {
    return new TestHttp(node.baseUrl());
  }

  private static JsonNode ingest(Node node, byte[] ndjson) {
    TestHttp.Reply r = http(node).post("/api/v1/ingest", ndjson);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  /** The endpoint entities {@code node} runs, by entity id. */
  private static Set<String> hostedBy(Node node) throws Exception {
    ShardRegion.CurrentShardRegionState state =
        AskPattern.<GetShardRegionState, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(node.system()).shardState().narrow(),
                replyTo -> new GetShardRegionState(EndpointStatsEntity.ENTITY_TYPE_KEY, replyTo),
                Duration.ofSeconds(10),
                node.system().scheduler())
            .toCompletableFuture()
            .get();
    Set<String> ids = new TreeSet<>();
    state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }

  /** Whether the journal holds events of {@code persistenceId}. */
  private static boolean journaled(String persistenceId) {
    return TestCassandra.shared()
        .firstValue(
            "SELECT persistence_id FROM "
                + keyspace
                + ".messages WHERE persistence_id = '"
                + persistenceId
                + "' AND partition_nr = 0 LIMIT 1")
        .isPresent();
  }

  /** The next firing alert of {@code rule} on {@code endpoint} on the feed, or null by then. */
  private static JsonNode firing(AlertFeedClient feed, String rule, String endpoint, long until)
      throws InterruptedException {
    for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime()) {
      JsonNode m = feed.next(Duration.ofNanos(left));
      if (m != null
          && m.path("type").asText().equals("alert")
          && m.get("alert").get("rule").asText().equals(rule)
          && m.get("alert").get("endpoint").asText().equals(endpoint)
          && m.get("alert").get("status").asText().equals("firing")) {
        return m.get("alert");
      }
    }
    return null;
  }

  private static AlertFeedClient feed(Node node) throws Exception {
    AlertFeedClient feed = http(node).openFeed();
    JsonNode hello = feed.next(Duration.ofSeconds(10));
    assertNotNull(hello, "the feed says hello");
    assertEquals("hello", hello.get("type").asText());
    return feed;
  }

  /**
   * Puts rule {@code rule} (error rate above 20 % on {@code path}) through {@code putThrough}, then
   * sends {@code on} a second of half-failing traffic on {@code path} after another until the alert
   * of the rule is on {@code on}'s feed: the rule is in effect on {@code on}'s entity. The endpoint
   * has had traffic before, so its entity is running when the rule is put.
   *
   * @return how long after the rule was accepted its alert was on the feed, ms
   */
  private static long ruleTakesEffect(Node putThrough, Node on, String rule, String path)
      throws Exception {
    ingest(on, NodeFixture.traffic(path, 0, 5, 20, 0));
    try (AlertFeedClient feed = feed(on)) {
      NodeFixture.errorRateRule(http(putThrough), rule, path, "warning");
      long accepted = System.nanoTime();
      long until = accepted + RULE_WITHIN.toNanos();
      JsonNode alert = null;
      for (int s = 5; alert == null && System.nanoTime() < until; s++) {
        ingest(on, NodeFixture.traffic(path, s, s + 1, 20, 0.5));
        alert = firing(feed, rule, path, Math.min(until, System.nanoTime() + 200_000_000L));
      }
      assertNotNull(alert, "rule " + rule + " was in effect within " + RULE_WITHIN);
      return (System.nanoTime() - accepted) / 1_000_000;
    }
  }

  @Test
  void eachNodeShowsTheMembersDataCentersAndTheRuleBookLivesInTheHomeDataCenter() {
    Map<String, String> expected = Map.of(address(a), "dc1", address(b), "dc2");
    for (Node node : List.of(a, b)) {
      await()
          .atMost(WITHIN)
          .untilAsserted(
              () -> {
                TestHttp.Reply r = http(node).get("/api/v1/cluster");
                assertEquals(200, r.status(), r.body());
                Map<String, String> dataCenters = new TreeMap<>();
                for (JsonNode m : r.json().get("members")) {
                  assertEquals("up", m.get("status").asText(), r.body());
                  assertTrue(m.get("reachable").asBoolean(), r.body());
                  dataCenters.put(m.get("address").asText(), m.get("dataCenter").asText());
                }
                assertEquals(expected, dataCenters, r.body());
                assertTrue(r.json().get("shardsComplete").asBoolean(), r.body());
              });
    }
    // sharding is per data center: A counts dc1's rule book, B has none (a proxy to dc1)
    JsonNode ruleBookOnA = http(a).get("/api/v1/cluster").json().get("shards").get("ruleBook");
    assertEquals(Set.of(address(a)), fieldNames(ruleBookOnA), ruleBookOnA.toString());
    assertEquals(1, ruleBookOnA.get(address(a)).get("entities").asInt(), ruleBookOnA.toString());
    JsonNode ruleBookOnB = http(b).get("/api/v1/cluster").json().get("shards").get("ruleBook");
    assertEquals(Set.of(), fieldNames(ruleBookOnB), ruleBookOnB.toString());
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aRulePutInOneDataCenterIsInEffectInTheOther() throws Exception {
    long dc2ToDc1 = ruleTakesEffect(b, a, "from-dc2", "/v1/rule-a");
    long dc1ToDc2 = ruleTakesEffect(a, b, "from-dc1", "/v1/rule-b");
    System.out.printf(
        "a rule's alert on the other data center's feed after: put in dc2 %d ms, in dc1 %d ms%n",
        dc2ToDc1, dc1ToDc2);
  }

  @Test
  void eachDataCenterCountsTheTrafficSentToItUnderItsOwnPersistenceId() throws Exception {
    String path = "/v1/shared";
    assertEquals(100, ingest(a, NodeFixture.traffic(path, 0, 4, 25, 0)).get("accepted").asLong());
    assertEquals(30, ingest(b, NodeFixture.traffic(path, 0, 2, 15, 0)).get("accepted").asLong());

    String stats = "/api/v1/endpoints/default%2Fv1%2Fshared/stats";
    JsonNode onA = http(a).get(stats).json();
    JsonNode onB = http(b).get(stats).json();
    assertEquals(100, onA.get("accepted").asLong(), onA.toString());
    assertEquals(100, NodeFixture.countInMinutes(onA), onA.toString());
    assertEquals(30, onB.get("accepted").asLong(), onB.toString());
    assertEquals(30, NodeFixture.countInMinutes(onB), onB.toString());

    // one entity in each data center, each on that data center's node
    String id = "default" + path;
    assertTrue(hostedBy(a).contains(id), "A runs dc1's " + id + ": " + hostedBy(a));
    assertTrue(hostedBy(b).contains(id), "B runs dc2's " + id + ": " + hostedBy(b));
    JsonNode endpointsOnA = http(a).get("/api/v1/cluster").json().get("shards").get("endpoints");
    JsonNode endpointsOnB = http(b).get("/api/v1/cluster").json().get("shards").get("endpoints");
    assertEquals(Set.of(address(a)), fieldNames(endpointsOnA), endpointsOnA.toString());
    assertEquals(Set.of(address(b)), fieldNames(endpointsOnB), endpointsOnB.toString());

    // two writers, two persistence ids; none under the default data center's name
    assertTrue(journaled("EndpointStats|dc1|" + id), "dc1's events");
    assertTrue(journaled("EndpointStats|dc2|" + id), "dc2's events");
    assertFalse(journaled("EndpointStats|" + id), "no events under the default data center's id");
  }

  @Test
  void anAlertRaisedInDc2IsOnDc1sFeedAndNotifiedOnce() throws Exception {
    String path = "/v1/burst";
    String rule = "burst";
    NodeFixture.errorRateRule(http(a), rule, path, "critical");
    ingest(b, NodeFixture.traffic(path, 0, 5, 20, 0));
    try (AlertFeedClient feedOfA = feed(a)) {
      long until = System.nanoTime() + WITHIN.toNanos();
      JsonNode alert = null;
      for (int s = 5; alert == null && System.nanoTime() < until; s++) {
        ingest(b, NodeFixture.traffic(path, s, s + 1, 20, 0.5));
        alert = firing(feedOfA, rule, path, Math.min(until, System.nanoTime() + 500_000_000L));
      }
      assertNotNull(alert, "dc2's alert reached dc1's feed within " + WITHIN);
      String fingerprint = alert.get("fingerprint").asText();

      List<WebhookReceiver.Received> sent = new ArrayList<>();
      for (long end = System.nanoTime() + WITHIN.toNanos();
          sent.isEmpty() && System.nanoTime() < end; ) {
        collect(webhook.next(Duration.ofMillis(200)), fingerprint, sent);
      }
      assertEquals(1, sent.size(), "the receiver got the alert");
      for (long end = System.nanoTime() + NO_SECOND_NOTIFICATION.toNanos();
          System.nanoTime() < end; ) {
        collect(webhook.next(Duration.ofMillis(200)), fingerprint, sent);
      }
      assertEquals(1, sent.size(), "one notifier, one notification: " + sent);
      assertEquals("firing", sent.get(0).body().get("status").asText());
      assertEquals(
          path, sent.get(0).body().get("alerts").get(0).get("labels").get("endpoint").asText());
    }
  }

  /** Adds {@code r} to {@code into} if it is a notification of the alert {@code fingerprint}. */
  private static void collect(
      WebhookReceiver.Received r, String fingerprint, List<WebhookReceiver.Received> into) {
    if (r != null) {
      for (JsonNode alert : r.body().get("alerts")) {
        if (alert.get("fingerprint").asText().equals(fingerprint)) {
          into.add(r);
          return;
        }
      }
    }
  }
}
