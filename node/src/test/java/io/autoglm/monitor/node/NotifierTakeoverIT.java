package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No alert is lost when the node that is sending it dies: two nodes on one Cassandra, the notifier
 * (a cluster singleton) on the first. Forty alerts fire; the receiver holds every request for them
 * without answering (the first node has some on their way, the rest waiting); the first node then
 * stops dead (its actor system terminated without leaving the cluster, as in a crash) and is
 * downed. The notifier starts on the second node, reads the alert changes from the journal where
 * the first one had saved its offset, finds their deliveries not done in the outbox and sends each
 * once, those already on their way with the same idempotency key. An alert delivered before the
 * crash is not sent again.
 */
class NotifierTakeoverIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  /** Alerts the receiver holds when the first node dies: more than one of anything at once. */
  private static final int ALERTS = 40;

  private record Request(String endpoint, String deliveryId) {}

  private final AtomicBoolean held = new AtomicBoolean();
  private volatile boolean holding = true;
  private HoldingReceiver receiver;
  private Node first;
  private Node second;

  private static String endpointOf(JsonNode body) {
    return body.get("alerts").get(0).get("labels").get("endpoint").asText();
  }

  @BeforeEach
  void startReceiver() throws Exception {
    receiver =
        new HoldingReceiver(
            body -> {
              boolean hold = endpointOf(body).startsWith("/v1/b") && holding;
              held.compareAndSet(false, hold);
              return hold;
            },
            body -> {});
  }

  @AfterEach
  void stop() {
    receiver.release();
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
    receiver.close();
  }

  private Request next() throws InterruptedException {
    return next(WITHIN);
  }

  /** The next request, or null after {@code timeout}. */
  private Request next(Duration timeout) throws InterruptedException {
    HoldingReceiver.Request r = receiver.next(timeout);
    if (timeout.equals(WITHIN)) {
      assertNotNull(r, "the receiver got a request");
    }
    return r == null ? null : new Request(endpointOf(r.body()), r.deliveryId());
  }

  @Test
  void theAlertsTheDeadNodeWasSendingAreSentByTheOtherWithTheirKeys() throws Exception {
    Config base =
        NodeFixture.freshConfig(
            Map.of(
                "autoglm.notifier.webhook.url",
                receiver.url(),
                "autoglm.notifier.webhook.request-timeout",
                "60s",
                // the downed node leaves at once, not after the resolver's 20 s margin (how fast
                // a real cluster takes over is issue #12's; this test is about what is sent)
                "pekko.cluster.down-removal-margin",
                "1s"));
    // terminating the first node's actor system is a crash: no leaving, no singleton handover
    first =
        Node.start(
            ConfigFactory.parseMap(
                    Map.of("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off"))
                .withFallback(base));
    second = Node.start(NodeFixture.clusterMember(base, NodeFixture.clusterPort(first), 0));
    TestHttp http = new TestHttp(second.baseUrl());
    NodeFixture.errorRateRule(http, "errors", "/v1/*", "warning");
    NodeFixture.awaitRules(List.of(first, second), "errors");

    assertEquals(
        200, http.post("/api/v1/ingest", NodeFixture.traffic("/v1/a", 0, 20, 50, 0.5)).status());
    Request a = next();
    assertEquals("/v1/a", a.endpoint());
    awaitSavedOffset(base); // the first notifier read /v1/a's change back from the journal

    // more alerts than the notifier sends at once, and than its journal reading waits for at once
    for (int i = 0; i < ALERTS; i++) {
      assertEquals(
          200,
          http.post("/api/v1/ingest", NodeFixture.traffic("/v1/b" + i, 0, 20, 50, 0.5)).status());
    }
    Map<String, String> sent = new HashMap<>();
    Request b = next();
    sent.put(b.endpoint(), b.deliveryId());
    assertTrue(held.get(), "the receiver holds the requests for /v1/b*");
    Thread.sleep(2_000); // the first node sends what it can at once
    for (Request r = next(Duration.ZERO); r != null; r = next(Duration.ZERO)) {
      sent.put(r.endpoint(), r.deliveryId());
    }
    holding = false;

    Address dead = Cluster.get(first.system()).selfMember().address();
    first.system().terminate();
    first.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Cluster.get(second.system()).manager().tell(new Down(dead));

    Map<String, String> after = new HashMap<>();
    while (after.size() < ALERTS) {
      Request again = next();
      assertTrue(again.endpoint().startsWith("/v1/b"), "only what was not done: " + again);
      assertNull(after.put(again.endpoint(), again.deliveryId()), "once each: " + again);
    }
    for (var e : sent.entrySet()) {
      assertEquals(e.getValue(), after.get(e.getKey()), "sent again with the same key: " + e);
    }
    assertNull(next(Duration.ofSeconds(5)), "nothing else: /v1/a was done before the crash");
  }

  /** Waits until the notifier has saved an offset in {@code notifier_offset}. */
  private static void awaitSavedOffset(Config config) throws InterruptedException {
    String keyspace = config.getString("pekko.persistence.cassandra.journal.keyspace");
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      if (TestCassandra.shared()
          .firstValue(
              "SELECT tag_offset FROM " + keyspace + ".notifier_offset WHERE name = 'notifier'")
          .isPresent()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the notifier saved no offset within " + WITHIN);
  }
}
