package io.autoglm.monitor.tools.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import io.autoglm.monitor.node.TestHttp;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.CaptureWriter;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.DefaultRules;
import io.autoglm.monitor.tools.backtest.Backtest;
import io.autoglm.monitor.tools.gen.CaptureGenerator;
import io.autoglm.monitor.tools.gen.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live path (a node on real Cassandra, the file posted to its ingest API in agent-sized batches
 * of the backtest's size, the default {@code auto} rules installed through the API) raises the same
 * alerts as a backtest of the same file: the same rules on the same endpoints and IPs, firing at
 * the same time to within the few seconds by which their batches differ.
 */
class LiveMatchesBacktestIT {
  private static final long SAME_TIME_MS = 2_000;

  @TempDir Path dir;

  @Test
  void theLivePathRaisesWhatTheBacktestRaises() throws Exception {
    CaptureGenerator generator =
        new CaptureGenerator(
            CaptureGenerator.Options.defaults()
                .withSeconds(2400)
                .withRate(200)
                .withScenario(Scenario.MIXED)
                .withSeed(11));
    Path file = dir.resolve("mixed.ndjson");
    List<byte[]> batches = new ArrayList<>();
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      CaptureWriter w = new CaptureWriter(batch, false);
      int lines = 0;
      for (Iterator<CaptureRecord> it = generator.records(); it.hasNext(); ) {
        w.write(it.next());
        if (++lines == Backtest.BATCH_RECORDS || !it.hasNext()) {
          w.flush();
          batches.add(batch.toByteArray());
          out.write(batch.toByteArray());
          batch.reset();
          lines = 0;
        }
      }
    }
    List<ThresholdRule> rules = DefaultRules.freshInstall();
    Backtest.Result backtest = Backtest.run(file, rules, Backtest.Progress.NONE);
    Map<String, Long> expected = firings(backtest.alerts(), backtest.lastTs());
    assertTrue(expected.size() >= 4, "the backtest caught the anomalies: " + expected);

    // the file holds 40 minutes replayed in seconds: a live node's idle tick, which moves quiet
    // IPs on with its wall clock, would run far ahead of the data; the backtest's follows the data
    Map<String, Object> config =
        Map.of("autoglm.http.recent-alerts", 1000, "autoglm.stats.watermark-tick", "1h");
    try (Node node = Node.start(NodeFixture.freshConfig(config))) {
      TestHttp http = new TestHttp(node.baseUrl());
      for (ThresholdRule r : rules) {
        assertEquals(
            201, http.put("/api/v1/rules/" + r.id(), RuleCodec.toJson(r).toString()).status());
      }
      // the rules reach the node's cache before the first batch
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> http.get("/api/v1/rules").json().get("rules").size() == rules.size());
      for (byte[] b : batches) {
        TestHttp.Reply reply =
            http.post("/api/v1/ingest", b, "Content-Type", "application/x-ndjson");
        assertEquals(200, reply.status(), reply.body());
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> assertEquals(expected.keySet(), live(http, backtest.lastTs()).keySet()));
      Map<String, Long> live = live(http, backtest.lastTs());
      List<String> apart = new ArrayList<>();
      for (Map.Entry<String, Long> e : expected.entrySet()) {
        long diff = Math.abs(live.get(e.getKey()) - e.getValue());
        String line =
            e.getKey()
                + ": "
                + Instant.ofEpochMilli(live.get(e.getKey()))
                + " live, "
                + Instant.ofEpochMilli(e.getValue())
                + " in the backtest";
        if (diff > SAME_TIME_MS) {
          apart.add(line);
        }
      }
      assertEquals(List.of(), apart, "alerts that fired at different times");
    }
  }

  /** Rule and subject of each firing, to when it first fired, up to the file's last record. */
  private static Map<String, Long> firings(List<Alert> alerts, long lastTs) {
    Map<String, Long> out = new TreeMap<>();
    for (Alert a : alerts) {
      if (a.isFiring() && a.windowEnd() <= lastTs) {
        out.merge(key(a.ruleId(), a.endpoint(), a.sourceIp()), a.windowEnd(), Math::min);
      }
    }
    return out;
  }

  private static Map<String, Long> live(TestHttp http, long lastTs) {
    Map<String, Long> out = new TreeMap<>();
    for (JsonNode a : http.get("/api/v1/alerts").json().get("alerts")) {
      long at = Instant.parse(a.get("windowEnd").asText()).toEpochMilli();
      if (a.get("status").asText().equals("firing") && at <= lastTs) {
        String ip = a.hasNonNull("sourceIp") ? a.get("sourceIp").asText() : null;
        out.merge(key(a.get("rule").asText(), a.get("endpoint").asText(), ip), at, Math::min);
      }
    }
    return out;
  }

  private static String key(String rule, String endpoint, String ip) {
    return rule + " " + (ip != null ? ip : endpoint);
  }
}
