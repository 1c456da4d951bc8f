package io.autoglm.monitor.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import io.autoglm.monitor.node.TestHttp;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.tools.gen.CaptureGenerator;
import io.autoglm.monitor.tools.gen.Scenario;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An agent streams generated traffic — a minute of history, then live records — to node B of a
 * two-node cluster with the default statistics settings; B dies abruptly (no leave, in-flight
 * writes cut) part-way; the agent fails over to node A and replays what was not acked; A takes over
 * B's entities from the journal. Afterwards every endpoint's request count equals the generator's
 * count (nothing lost, nothing twice), no record was counted late because of the outage, and the
 * agent's own summary says what the node counted.
 */
class AgentFailoverIT {

  @Test
  void noRecordIsLostOrCountedTwiceWhenTheAgentsNodeDies() throws Exception {
    Config base =
        ConfigFactory.parseMap(
                Map.of(
                    "pekko.cluster.split-brain-resolver.stable-after", "2s",
                    // A, started first, is the one that must survive B's death; keep-majority
                    // would keep the lower address instead, and the OS picks the ports
                    "pekko.cluster.split-brain-resolver.active-strategy", "keep-oldest",
                    "pekko.cluster.split-brain-resolver.keep-oldest.down-if-alone", "off"))
            .withFallback(NodeFixture.freshConfig(Map.of()));
    Node a = Node.start(base); // no seed nodes: it joins itself
    Node b =
        Node.start(
            NodeFixture.clusterMember(
                ConfigFactory.parseMap(
                        Map.of(
                            "pekko.coordinated-shutdown.run-by-actor-system-terminate", "off",
                            "pekko.cluster.run-coordinated-shutdown-when-down", "off"))
                    .withFallback(base),
                NodeFixture.clusterPort(a),
                0));
    try {
      List<CaptureRecord> records = new ArrayList<>();
      new CaptureGenerator(
              CaptureGenerator.Options.defaults()
                  .withSeconds(60)
                  .withRate(500)
                  .withScenario(Scenario.MIXED))
          .generate(records::add);
      // then live records, dated as they are sent
      int history = records.size();
      Map<String, Long> expected = new TreeMap<>();
      records.forEach(r -> expected.merge(r.endpoint(), 1L, Long::sum));

      List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
      StreamShipper agent =
          new StreamShipper(
              new StreamShipper.Options(
                  List.of(hostPort(b), hostPort(a)),
                  "gw-failover",
                  42,
                  null,
                  16,
                  Duration.ofMillis(500),
                  log::add));
      List<List<CaptureRecord>> batches = new ArrayList<>(StreamShipper.batches(records, 300));
      int crashAfter = batches.size() / 3;
      for (int live = 0; live < 20; live++) {
        batches.add(null); // made when sent: 20 batches of live records
      }
      for (int i = 0; i < batches.size(); i++) {
        List<CaptureRecord> batch = batches.get(i);
        if (batch == null) {
          batch = liveBatch(records.get(i % history));
          batch.forEach(r -> expected.merge(r.endpoint(), 1L, Long::sum));
        }
        agent.send(batch);
        if (i == crashAfter) {
          assertTrue(agent.awaitAcked(Duration.ofSeconds(30)), "B acked the first third");
          b.system().terminate(); // abrupt: no cluster leave, no coordinated shutdown
        }
      }
      assertTrue(
          agent.awaitAcked(Duration.ofSeconds(120)), "every batch acked in the end; log: " + log);
      agent.close();
      assertTrue(agent.totals().get("reconnects") >= 1, "the agent failed over: " + log);

      TestHttp http = new TestHttp(a.baseUrl());
      Map<String, Long> counted = new TreeMap<>();
      for (String endpoint : expected.keySet()) {
        JsonNode stats =
            http.get(
                    "/api/v1/endpoints/"
                        + URLEncoder.encode("default" + endpoint, StandardCharsets.UTF_8)
                        + "/stats?limit=10000")
                .json();
        assertEquals(0, stats.get("late").asLong(), endpoint + " had late records");
        // the total, not the minutes in memory: the live records moved event time to now, so the
        // historic minutes are in the history (series), no longer in memory
        counted.put(endpoint, stats.get("accepted").asLong());
      }
      assertEquals(expected, counted);
      System.out.printf(
          "failover: %d records in %d batches, agent totals %s%n",
          history + 20 * 50, batches.size(), agent.totals());
      assertEquals(0, agent.totals().get("late"), "the agent was told of no late record");
      assertEquals(
          counted.values().stream().mapToLong(Long::longValue).sum(),
          agent.totals().get("counted"),
          "the agent's summary is what the node counted");
    } finally {
      a.close();
      b.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** 50 live records, dated now, shaped like {@code like}. */
  private static List<CaptureRecord> liveBatch(CaptureRecord like) {
    List<CaptureRecord> out = new ArrayList<>(50);
    long now = System.currentTimeMillis();
    for (int i = 0; i < 50; i++) {
      out.add(
          CaptureRecord.of(
              now + i, like.endpoint(), like.status(), like.latencyMs(), like.srcIp()));
    }
    return out;
  }

  private static String hostPort(Node node) {
    return "127.0.0.1:" + node.httpPort();
  }
}
