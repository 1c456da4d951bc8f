package io.autoglm.monitor.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.protocols.wire.AlertFeedClient;
import io.autoglm.monitor.sharding.DataCenterScope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The link between two data centers breaks and heals: node A in dc1 (the home data center: rule
 * book and notifier), node B in dc2, each dropping the other's cluster traffic (Artery's test mode,
 * as {@code autoglm drill partition} does); HTTP and the one test Cassandra stay reachable from
 * both. Nobody is downed: each data center goes on counting and alerting on its own shards, B with
 * the rules it had; B cannot change the rules; the notifier, which reads the alert changes from the
 * journal, still notifies B's alert, which A's feed does not show. Once the link is back the two
 * data centers are one cluster again.
 */
class DataCenterLinkBreakIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  private WebhookReceiver webhook;
  private Node a;
  private Node b;

  @AfterEach
  void stop() {
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

  private static TestHttp http(Node node) {
    return new TestHttp(node.baseUrl());
  }

  private static String address(Node node) {
    return node.system().address().toString();
  }

  private static void ingest(Node node, byte[] ndjson) {
    TestHttp.Reply r = http(node).post("/api/v1/ingest", ndjson);
    assertEquals(200, r.status(), r.body());
  }

  /** {@code node}'s cluster traffic with {@code other} dropped ({@code on}) or let through. */
  private static void blackhole(Node node, Node other, boolean on) {
    String path =
        "/api/v1/cluster/blackholes/" + URLEncoder.encode(address(other), StandardCharsets.UTF_8);
    TestHttp.Reply r = on ? http(node).put(path, "{}") : http(node).delete(path);
    assertEquals(200, r.status(), r.body());
  }

  /** Waits until {@code node} sees {@code other} Up and {@code reachable} as said. */
  private static void awaitSeen(Node node, Node other, boolean reachable) {
    await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              TestHttp.Reply r = http(node).get("/api/v1/cluster");
              assertEquals(200, r.status(), r.body());
              JsonNode members = r.json().get("members");
              assertEquals(2, members.size(), r.body());
              for (JsonNode m : members) {
                assertEquals("up", m.get("status").asText(), "nobody is downed: " + r.body());
                if (m.get("address").asText().equals(address(other))) {
                  assertEquals(reachable, m.get("reachable").asBoolean(), r.body());
                }
              }
            });
  }

  /** Sends {@code node} half-failing seconds of {@code path} until its alert is on {@code feed}. */
  private static JsonNode raise(Node node, String path, AlertFeedClient feed) throws Exception {
    ingest(node, NodeFixture.traffic(path, 0, 5, 20, 0));
    long until = System.nanoTime() + WITHIN.toNanos();
    for (int s = 5; System.nanoTime() < until; s++) {
      ingest(node, NodeFixture.traffic(path, s, s + 1, 20, 0.5));
      for (JsonNode m = feed.next(Duration.ofMillis(300)); m != null; m = feed.poll()) {
        if (isFiring(m, path)) {
          return m.get("alert");
        }
      }
    }
    throw new AssertionError("no alert on " + path + " within " + WITHIN);
  }

  private static boolean isFiring(JsonNode message, String path) {
    return message.path("type").asText().equals("alert")
        && message.get("alert").get("endpoint").asText().equals(path)
        && message.get("alert").get("status").asText().equals("firing");
  }

  private static AlertFeedClient feed(Node node) throws Exception {
    AlertFeedClient feed = http(node).openFeed();
    JsonNode hello = feed.next(Duration.ofSeconds(10));
    assertNotNull(hello, "the feed says hello");
    return feed;
  }

  @Test
  void eachDataCenterGoesOnAloneWhileTheLinkIsBrokenAndTheyAreOneClusterAgainAfter()
      throws Exception {
    webhook = new WebhookReceiver();
    Config base =
        NodeFixture.freshConfig(
            Map.of(
                "autoglm.notifier.webhook.url",
                webhook.url(),
                DataCenters.HOME,
                "dc1",
                "pekko.remote.artery.advanced.test-mode",
                "on"));
    a = Node.start(inDataCenter("dc1", base));
    b =
        Node.start(
            NodeFixture.clusterMember(inDataCenter("dc2", base), NodeFixture.clusterPort(a), 0));
    NodeFixture.errorRateRule(http(a), "errors", "/v1/*", "warning");
    try (AlertFeedClient feedOfB = feed(b)) {
      raise(b, "/v1/before", feedOfB); // B has the rule
    }

    long broken = System.nanoTime();
    blackhole(a, b, true);
    blackhole(b, a, true);
    awaitSeen(a, b, false);
    awaitSeen(b, a, false);
    long unreachableMs = (System.nanoTime() - broken) / 1_000_000;

    try (AlertFeedClient feedOfA = feed(a);
        AlertFeedClient feedOfB = feed(b)) {
      // each data center alone: B alerts on its own endpoint with the rules it had, A counts its
      // own
      JsonNode during = raise(b, "/v1/during", feedOfB);
      ingest(a, NodeFixture.traffic("/v1/a-during", 0, 2, 10, 0));
      JsonNode statsOnA = http(a).get("/api/v1/endpoints/default%2Fv1%2Fa-during/stats").json();
      assertEquals(20, statsOnA.get("accepted").asLong(), statsOnA.toString());

      // the notifier in dc1 reads B's alert from the journal both share
      WebhookReceiver.Received notified = null;
      for (long end = System.nanoTime() + WITHIN.toNanos();
          notified == null && System.nanoTime() < end; ) {
        WebhookReceiver.Received r = webhook.next(Duration.ofMillis(500));
        if (r != null
            && r.body()
                .get("alerts")
                .get(0)
                .get("fingerprint")
                .asText()
                .equals(during.get("fingerprint").asText())) {
          notified = r;
        }
      }
      assertNotNull(notified, "dc2's alert was notified during the break");

      // the feed is live pub-sub: A's never shows B's alert of the break (it was published well
      // before the notification above, which went through the journal)
      for (JsonNode m = feedOfA.poll(); m != null; m = feedOfA.poll()) {
        assertFalse(isFiring(m, "/v1/during"), "A's feed has dc2's alert of the break: " + m);
      }

      // the rule book is in dc1: B cannot change the rules
      TestHttp.Reply put =
          http(b)
              .put(
                  "/api/v1/rules/during-break",
                  "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.5,"
                      + " \"endpoint\": \"/never/*\"}");
      assertEquals(503, put.status(), put.body());
    }

    long healed = System.nanoTime();
    blackhole(a, b, false);
    blackhole(b, a, false);
    awaitSeen(a, b, true);
    awaitSeen(b, a, true);
    long reachableMs = (System.nanoTime() - healed) / 1_000_000;
    TestHttp.Reply put =
        http(b)
            .put(
                "/api/v1/rules/after-break",
                "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.5,"
                    + " \"endpoint\": \"/never/*\"}");
    assertEquals(201, put.status(), put.body());
    System.out.printf(
        "link break: the other data center unreachable after %d ms, reachable again %d ms after"
            + " the link healed; the rule put through dc2 during the break: GET answers %d%n",
        unreachableMs, reachableMs, http(a).get("/api/v1/rules/during-break").status());
  }
}
