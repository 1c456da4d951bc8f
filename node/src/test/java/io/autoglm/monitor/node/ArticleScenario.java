package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.TestRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The article's configuration file and the traffic that shows its rules firing as specified: QPS of
 * /v1/generate over 5000 (and not at 4800), the error rate of /v1/chat/completions over 5 %, and
 * the 300 s cooldown (a second breach 70 s after the resolve does not fire, a third one past the
 * 300 s does). Event time: the node's wall clock stands still ({@link NodeFixture#wallClockAt}).
 * Used by ArticleConfigIT (config file, PUT /api/v1/rules) and by tools' RulesCommandIT (the CLI).
 */
public final class ArticleScenario {
  /** The article's file, as given. */
  public static final String ARTICLE =
      """
      metrics:
        interval: 10s
        endpoints: [/v1/generate, /v1/chat/completions]
      alert_rules:
        qps_threshold: 5000
        error_rate: 0.05
        cooldown: 300
      """;

  public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

  /** Auth on, with the admin token (ignored by a node without auth). */
  public static final Map<String, Object> AUTH =
      Map.of("autoglm.auth.enabled", true, "autoglm.auth.admin-token", ADMIN_TOKEN);

  public static final String GENERATE = "/v1/generate";
  public static final String CHAT = "/v1/chat/completions";
  public static final String QPS_RULE = "qps-threshold-v1-generate";
  public static final String ERROR_RULE = "error-rate-v1-chat-completions";

  private static final Duration WITHIN = Duration.ofSeconds(60);

  private ArticleScenario() {}

  /** A request with the admin token. */
  public static TestHttp.Reply send(
      TestHttp http, String method, String path, byte[] body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + ADMIN_TOKEN;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return http.send(method, path, body, all);
  }

  public static JsonNode get(TestHttp http, String path) {
    TestHttp.Reply r = send(http, "GET", path, new byte[0]);
    assertEquals(200, r.status(), path + ": " + r.body());
    return r.json();
  }

  /** Event second s of the scenario, both endpoints. */
  private static List<CaptureRecord> second(int s) {
    // a quiet start: the first window of a new endpoint counts its QPS over the time it has seen
    int generate = s < 10 ? 100 : s < 20 ? 4800 : s < 31 ? 5200 : 50;
    boolean chatFailing = (s >= 20 && s < 30) || (s >= 100 && s < 110) || (s >= 340 && s < 350);
    List<CaptureRecord> out = new ArrayList<>(spread(GENERATE, s, generate, 0));
    out.addAll(spread(CHAT, s, 100, chatFailing ? 0.08 : 0));
    return out;
  }

  /**
   * {@code perSecond} requests in second {@code s}, evenly spread over it (a live window's QPS is
   * its count over the time it covers, up to the newest record: requests bunched at the start of
   * each second would read high), {@code errorShare} of them answered 500, also spread.
   */
  private static List<CaptureRecord> spread(String path, int s, int perSecond, double errorShare) {
    int errors = (int) Math.round(perSecond * errorShare);
    List<CaptureRecord> out = new ArrayList<>(perSecond);
    for (int i = 0; i < perSecond; i++) {
      boolean error = (long) (i + 1) * errors / perSecond != (long) i * errors / perSecond;
      out.add(
          CaptureRecord.of(
              NodeFixture.T0 + s * 1000L + i * 1000L / perSecond,
              path,
              error ? 500 : 200,
              120.0 + i % 50,
              "10.1.0." + (i % 200 + 1)));
    }
    return out;
  }

  private static void ingest(TestHttp http, int fromSec, int toSec) {
    for (int from = fromSec; from < toSec; ) {
      int to = Math.min(toSec, from < 31 ? from + 2 : from + 50);
      List<CaptureRecord> records = new ArrayList<>();
      for (int s = from; s < to; s++) {
        records.addAll(second(s));
      }
      records.sort(Comparator.comparingLong(CaptureRecord::ts));
      TestHttp.Reply r =
          send(
              http,
              "POST",
              "/api/v1/ingest",
              TestRecords.ndjson(records),
              "Content-Type",
              "application/x-ndjson");
      assertEquals(200, r.status(), r.body());
      from = to;
    }
  }

  /** The alerts of {@code rule} this node has seen, oldest first. */
  public static List<JsonNode> alerts(TestHttp http, String rule) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : get(http, "/api/v1/alerts").get("alerts")) {
      if (a.get("rule").asText().equals(rule)) {
        out.add(0, a);
      }
    }
    return out;
  }

  private static List<JsonNode> await(TestHttp http, String rule, int count) {
    Awaitility.await()
        .atMost(WITHIN)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> alerts(http, rule).size() >= count);
    return alerts(http, rule);
  }

  private static double secondsAfterT0(JsonNode instant) {
    return (Instant.parse(instant.asText()).toEpochMilli() - NodeFixture.T0) / 1000.0;
  }

  /**
   * Sends the traffic to a node whose rules are the article's and asserts the alerts: the node's
   * wall clock must stand still after the traffic ({@code wallClockAt(T0 + 1h)}).
   */
  public static void firesAsSpecified(TestHttp http) {
    // /v1/generate at 100 a second, 4800 from 10 s (under the threshold), 5200 from 20 s;
    // chat's errors at 8 % from 20 s
    ingest(http, 0, 30);
    JsonNode qps = await(http, QPS_RULE, 1).get(0);
    assertEquals("firing", qps.get("status").asText());
    assertEquals(GENERATE, qps.get("endpoint").asText());
    assertTrue(qps.get("value").asDouble() > 5000, qps.toString());
    assertTrue(qps.get("value").asDouble() < 5300, qps.toString());
    assertTrue(
        secondsAfterT0(qps.get("startsAt")) >= 20,
        "4800 a second is under the threshold: fired only once 5200 a second came, " + qps);
    JsonNode errors = await(http, ERROR_RULE, 1).get(0);
    assertEquals("firing", errors.get("status").asText());
    assertEquals(CHAT, errors.get("endpoint").asText());
    assertTrue(errors.get("value").asDouble() > 0.05, errors.toString());
    assertTrue(secondsAfterT0(errors.get("startsAt")) >= 20, errors.toString());

    // healthy again: both resolve
    ingest(http, 30, 50);
    List<JsonNode> errorAlerts = await(http, ERROR_RULE, 2);
    assertEquals("resolved", errorAlerts.get(1).get("status").asText());
    double resolvedAt = secondsAfterT0(errorAlerts.get(1).get("endsAt"));
    assertEquals("resolved", await(http, QPS_RULE, 2).get(1).get("status").asText());

    // 8 % errors again at 100 s, 70 s after the resolve: within the 300 s cooldown, no alert;
    // and at 340 s, past it: fires
    ingest(http, 50, 360);
    errorAlerts = await(http, ERROR_RULE, 3);
    JsonNode again = errorAlerts.get(2);
    assertEquals("firing", again.get("status").asText());
    double firedAgainAt = secondsAfterT0(again.get("startsAt"));
    assertTrue(
        firedAgainAt >= 340 && firedAgainAt >= resolvedAt + 300,
        "the breach at 100 s (within the cooldown) did not fire; the one at 340 s did, at "
            + firedAgainAt
            + " s, resolved at "
            + resolvedAt
            + " s");
    List<Double> firings = new ArrayList<>();
    for (JsonNode a : alerts(http, ERROR_RULE)) {
      if (a.get("status").asText().equals("firing")) {
        firings.add(secondsAfterT0(a.get("startsAt")));
      }
    }
    assertEquals(2, firings.size(), "nothing fired for the breach at 100-110 s: " + firings);
    assertEquals(2, alerts(http, QPS_RULE).size());
    System.out.printf(
        "article rules: qps fired at %.1f s (value %.0f), error rate fired at %.1f s (%.3f),"
            + " resolved at %.1f s, breach at 100 s silent (cooldown), fired again at %.1f s%n",
        secondsAfterT0(qps.get("startsAt")),
        qps.get("value").asDouble(),
        secondsAfterT0(errors.get("startsAt")),
        errors.get("value").asDouble(),
        resolvedAt,
        firedAgainAt);
  }
}
