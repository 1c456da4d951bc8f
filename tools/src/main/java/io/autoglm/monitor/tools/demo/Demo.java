package io.autoglm.monitor.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.ship.HttpIngestClient;
import io.autoglm.monitor.agent.ship.IngestResponse;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.AlertFeedClient;
import io.autoglm.monitor.tools.gen.Anomaly;
import io.autoglm.monitor.tools.gen.CaptureGenerator;
import io.autoglm.monitor.tools.gen.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code autoglm demo} script, against a running node over its public API only: installs a
 * rule, listens on the WebSocket alert feed, replays three minutes of generated traffic (ending
 * now) with an error burst on {@code /v1/chat/completions}, and prints the alerts as they arrive.
 */
public final class Demo {
  private static final int SECONDS = 180;
  private static final int RATE = 200;
  private static final int BATCH = 5_000;
  private static final String RULE =
      """
      {"metric": "error_rate", "op": ">", "threshold": 0.15, "for": "10s", "cooldown": "1m",
       "severity": "critical", "endpoint": "/v1/chat/completions",
       "description": "More than 15% of chat completions fail (5xx or 429)"}""";

  private final String baseUrl;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newHttpClient();

  private final String token;

  /**
   * @param token an admin (or editor) token for the node's API; null when the node checks none
   */
  public Demo(String baseUrl, String token, PrintStream out) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.out = out;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  /** Runs the demo; true when the burst's alert fired and resolved. */
  public boolean run() throws Exception {
    out.println(
        "== Demo: installing rule 'demo-chat-errors': error_rate > 0.15 for 10s on /v1/chat/completions");
    HttpResponse<String> rule =
        http.send(
            request("/api/v1/rules/demo-chat-errors")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(RULE))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (rule.statusCode() / 100 != 2) {
      out.println("   the node refused the rule: " + rule.statusCode() + " " + rule.body());
      return false;
    }
    AlertFeedClient feed = AlertFeedClient.connect(http, baseUrl, token);
    out.println(
        "== Demo: listening on the alert feed "
            + baseUrl.replaceFirst("^http", "ws")
            + "/api/v1/alerts/feed");

    long end = Instant.now().toEpochMilli() / 10_000 * 10_000;
    CaptureGenerator generator =
        new CaptureGenerator(
            CaptureGenerator.Options.defaults()
                .withSeconds(SECONDS)
                .withRate(RATE)
                .withIps(2_000)
                .withScenario(Scenario.ERROR_BURST)
                .withStartMs(end - SECONDS * 1000L));
    for (Anomaly a : generator.truth()) {
      out.printf(
          "== Demo: replaying %d s of traffic at %d req/s; injected %s on %s from %s to %s%n",
          SECONDS,
          RATE,
          a.kind(),
          a.target(),
          Instant.ofEpochMilli(a.startMs()),
          Instant.ofEpochMilli(a.endMs()));
    }
    boolean fired = false;
    boolean resolved = false;
    HttpIngestClient ingest =
        new HttpIngestClient(URI.create(baseUrl), Duration.ofSeconds(30), true, token);
    Iterator<CaptureRecord> records = generator.records();
    long sent = 0;
    long started = System.nanoTime();
    while (records.hasNext()) {
      List<CaptureRecord> batch = new ArrayList<>(BATCH);
      while (records.hasNext() && batch.size() < BATCH) {
        batch.add(records.next());
      }
      IngestResponse response = ingest.post(batch);
      if (!response.isSuccess()) {
        out.println("   ingest failed: " + response.status() + " " + response.body());
        return false;
      }
      sent += batch.size();
      out.printf(
          "   sent %,d records (up to %s)%n",
          sent, Instant.ofEpochMilli(batch.get(batch.size() - 1).ts()));
      for (JsonNode m = feed.poll(); m != null; m = feed.poll()) {
        String status = printAlert(m);
        fired |= "firing".equals(status);
        resolved |= "resolved".equals(status);
      }
    }
    out.printf(
        "== Demo: replayed %,d records in %.1f s; waiting for the alert to resolve%n",
        sent, (System.nanoTime() - started) / 1e9);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!(fired && resolved) && System.nanoTime() < deadline) {
      JsonNode m = feed.next(Duration.ofSeconds(1));
      if (m != null) {
        String status = printAlert(m);
        fired |= "firing".equals(status);
        resolved |= "resolved".equals(status);
      }
    }
    feed.close();
    printStats();
    out.println(
        fired && resolved
            ? "== Demo: done. The burst raised an alert on the feed and it resolved when the burst ended."
            : "== Demo: FAILED: expected a firing and a resolved alert on the feed (fired="
                + fired
                + ", resolved="
                + resolved
                + ")");
    return fired && resolved;
  }

  private String printAlert(JsonNode message) {
    if (!"alert".equals(message.path("type").asText())) {
      return null;
    }
    JsonNode a = message.get("alert");
    String status = a.get("status").asText();
    out.printf(
        "%n   >>> ALERT (%s) %s%n       rule=%s endpoint=%s value=%.3f startsAt=%s%s%n%n",
        status,
        a.get("summary").asText(),
        a.get("rule").asText(),
        a.get("endpoint").asText(),
        a.get("value").asDouble(),
        a.get("startsAt").asText(),
        a.get("endsAt").isNull() ? "" : " endsAt=" + a.get("endsAt").asText());
    return status;
  }

  private void printStats() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            request("/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/stats?limit=0")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return;
    }
    JsonNode stats = Json.mapper().readTree(r.body());
    out.println(
        "== /v1/chat/completions, per minute (GET /api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/stats):");
    out.println("   minute start           count   qps  error%   p95 ms   p99 ms");
    for (JsonNode w : stats.get("minutes")) {
      out.printf(
          "   %-22s %5d %5.0f %6.1f %8.0f %8.0f%n",
          w.get("start").asText(),
          w.get("count").asLong(),
          w.get("qps").asDouble(),
          100 * w.get("errorRate").asDouble(),
          w.get("latencyMs").get("p95").asDouble(),
          w.get("latencyMs").get("p99").asDouble());
    }
  }
}
