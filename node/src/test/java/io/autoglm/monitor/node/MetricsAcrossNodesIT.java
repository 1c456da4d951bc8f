package io.autoglm.monitor.node;

import static io.autoglm.monitor.node.NodeFixture.traffic;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of one cluster: the per-endpoint series of {@code /metrics} summed over the nodes count
 * each accepted record once, however many nodes received it (an agent's batches sent to one node,
 * then again to the other, as after a failover), while each node's ingest counters say what it
 * received.
 */
class MetricsAcrossNodesIT {
  private static final String GENERATE = "{endpoint=\"/v1/generate\",service=\"default\"}";

  private static TestHttp.Reply send(Node node, int seq) {
    // 50 records over 2 s, 3 of each second's 25 failing (2.5 rounded up)
    byte[] body = traffic("/v1/generate", seq * 2, seq * 2 + 2, 25, 0.1);
    return new TestHttp(node.baseUrl())
        .post(
            "/api/v1/ingest",
            body,
            "X-Agent-Id",
            "gw-1",
            "X-Agent-Epoch",
            "3",
            "X-Agent-Seq",
            Integer.toString(seq));
  }

  /** The value of {@code series} (name and labels) summed over the nodes' expositions. */
  private static double sum(List<String> expositions, String series) {
    Pattern line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$");
    double total = 0;
    for (String text : expositions) {
      Matcher m = line.matcher(text);
      if (m.find()) {
        total += Double.parseDouble(m.group(1));
      }
    }
    return total;
  }

  @Test
  void sumsOverTheNodesCountEachAcceptedRecordOnce() {
    try (TwoNodes nodes = TwoNodes.start(NodeFixture.freshConfig(Map.of()))) {
      for (int seq = 1; seq <= 6; seq++) {
        assertEquals(200, send(nodes.first(), seq).status());
      }
      for (int seq = 1; seq <= 7; seq++) { // six replays, one new batch
        assertEquals(200, send(nodes.second(), seq).status());
      }
      List<String> scraped =
          List.of(nodes.first(), nodes.second()).stream()
              .map(n -> new TestHttp(n.baseUrl()).get("/metrics"))
              .map(
                  r -> {
                    assertEquals(200, r.status(), r.body());
                    return r.body();
                  })
              .toList();
      assertEquals(350, sum(scraped, "autoglm_endpoint_requests_total" + GENERATE));
      assertEquals(42, sum(scraped, "autoglm_endpoint_errors_total" + GENERATE));
      assertEquals(350, sum(scraped, "autoglm_endpoint_latency_seconds_count" + GENERATE));
      assertEquals(350, sum(scraped, "autoglm_stats_records_accepted_total"));
      assertEquals(
          300, sum(scraped, "autoglm_ingest_records_rejected_total{reason=\"duplicate\"}"));
      // what the nodes received: 300 + 350
      assertEquals(650, sum(scraped, "autoglm_ingest_records_total"));
      assertEquals(13, sum(scraped, "autoglm_ingest_acks_total"));
    }
  }
}
