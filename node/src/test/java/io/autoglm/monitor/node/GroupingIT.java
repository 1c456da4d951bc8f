package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.TestRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A route with {@code group_by} on a real node: twenty endpoints failing at once under one rule are
 * one notification to the receiver, after {@code group_wait}, holding all twenty; their resolves
 * are one more, after {@code group_interval}; a receiver on a route without {@code group_by} gets
 * each alert on its own.
 */
class GroupingIT {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final int ENDPOINTS = 20;
  private static WebhookReceiver team;
  private static WebhookReceiver each;
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    team = new WebhookReceiver();
    each = new WebhookReceiver();
    node =
        NodeFixture.startWith(
            """
            autoglm.notifier {
              receivers = [
                {name = team, alert_channels = [{type = webhook, url = "%s"}]}
                {name = each, alert_channels = [{type = webhook, url = "%s"}]}
              ]
              route {receiver = each, routes = [
                {matchers = ["alertname=burst"], receiver = team, group_by = [alertname, service],
                 group_wait = 3s, group_interval = 2s}
              ]}
            }
            """
                .formatted(team.url(), each.url()));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    team.close();
    each.close();
  }

  /** {@code from}..{@code to} seconds of traffic on every endpoint, {@code errors} failing. */
  private static void traffic(int from, int to, double errors) {
    List<CaptureRecord> records = new ArrayList<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      records.addAll(TestRecords.traffic("/v1/burst/e" + i, from, to, 20, errors));
    }
    TestHttp.Reply r = http.post("/api/v1/ingest", TestRecords.ndjson(records));
    assertEquals(200, r.status(), r.body());
  }

  private static Set<String> endpoints(JsonNode body, String status) {
    Set<String> out = new TreeSet<>();
    for (JsonNode a : body.get("alerts")) {
      if (a.get("status").asText().equals(status)) {
        out.add(a.get("labels").get("endpoint").asText());
      }
    }
    return out;
  }

  @Test
  void twentyAlertsInOneGroupAreOneNotificationAndTheirResolvesOneMore() throws Exception {
    NodeFixture.errorRateRule(http, "burst", "/v1/burst/*", "critical");
    traffic(0, 20, 0.5);

    WebhookReceiver.Received fired = team.next(WITHIN);
    assertNotNull(fired, "the team heard of the burst");
    assertEquals(ENDPOINTS, endpoints(fired.body(), "firing").size(), fired.body().toString());
    assertEquals("firing", fired.body().get("status").asText());
    assertEquals("burst", fired.body().get("groupLabels").get("alertname").asText());
    assertEquals("default", fired.body().get("groupLabels").get("service").asText());
    assertTrue(
        fired.body().get("groupKey").asText().contains("alertname=\"burst\""),
        fired.body().get("groupKey").asText());
    assertEquals("burst", fired.body().get("commonLabels").get("alertname").asText());
    assertTrue(fired.body().get("commonLabels").get("endpoint").isNull(), "endpoints differ");
    assertNull(team.next(Duration.ofSeconds(3)), "one notification for the twenty");
    assertNull(each.poll(), "the group's route took them");

    traffic(20, 40, 0);
    WebhookReceiver.Received resolved = team.next(WITHIN);
    assertNotNull(resolved, "the team heard them resolve");
    Set<String> all = new TreeSet<>(endpoints(resolved.body(), "resolved"));
    // the resolves may straddle one group_interval: then a second message has the rest
    if (all.size() < ENDPOINTS) {
      WebhookReceiver.Received rest = team.next(WITHIN);
      assertNotNull(rest, "the rest of the resolves: " + all);
      all.addAll(endpoints(rest.body(), "resolved"));
    }
    assertEquals(ENDPOINTS, all.size(), "every alert resolved, each once");
    assertNull(team.next(Duration.ofSeconds(3)), "and nothing more: the group is empty");
    assertTrue(!fired.deliveryId().equals(resolved.deliveryId()), "each message its own key");
  }

  @Test
  void aRouteWithoutGroupBySendsEachAlertOnItsOwn() throws Exception {
    NodeFixture.errorRateRule(http, "single", "/v1/single/*", "critical");
    List<CaptureRecord> records = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      records.addAll(TestRecords.traffic("/v1/single/e" + i, 0, 20, 20, 0.5));
    }
    assertEquals(200, http.post("/api/v1/ingest", TestRecords.ndjson(records)).status());
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < 3; i++) {
      WebhookReceiver.Received r = each.next(WITHIN);
      assertNotNull(r, "alert " + i + " of 3: " + seen);
      assertEquals(1, r.body().get("alerts").size(), "one alert a message");
      seen.add(r.body().get("alerts").get(0).get("labels").get("endpoint").asText());
    }
    assertEquals(Set.of("/v1/single/e0", "/v1/single/e1", "/v1/single/e2"), seen);
  }
}
