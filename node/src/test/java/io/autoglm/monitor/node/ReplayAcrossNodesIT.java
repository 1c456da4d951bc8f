package io.autoglm.monitor.node;

import static io.autoglm.monitor.node.NodeFixture.traffic;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of one cluster on one Cassandra: an agent's batches sent to one node and then again to
 * the other (as after a failover) are counted once.
 */
class ReplayAcrossNodesIT {
  private static final String STATS = "/api/v1/endpoints/default%2Fv1%2Fgenerate/stats?limit=1000";
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

  private static TestHttp.Reply send(Node node, int seq) {
    byte[] body = traffic("/v1/generate", seq * 2, seq * 2 + 2, 25, 0.1); // 50 records a batch
    return new TestHttp(node.baseUrl())
        .post(
            "/api/v1/ingest",
            body,
            "X-Agent-Id",
            "gw-1",
            "X-Agent-Epoch",
            "7",
            "X-Agent-Seq",
            Integer.toString(seq));
  }

  @Test
  void batchesSentAgainToAnotherNodeChangeNoCount() {
    for (int seq = 1; seq <= 6; seq++) {
      TestHttp.Reply r = send(first, seq);
      assertEquals(200, r.status(), r.body());
      assertEquals(50, r.json().get("accepted").asLong());
    }
    JsonNode before = new TestHttp(first.baseUrl()).get(STATS).json();
    assertEquals(300, before.get("accepted").asLong());

    for (int seq = 1; seq <= 6; seq++) {
      TestHttp.Reply r = send(second, seq);
      assertEquals(200, r.status(), r.body());
      assertEquals(0, r.json().get("accepted").asLong(), r.body());
      assertEquals(50, r.json().get("duplicates").asLong(), r.body());
    }
    TestHttp.Reply next = send(second, 7);
    assertEquals(50, next.json().get("accepted").asLong(), "a new batch still counts");

    JsonNode after = new TestHttp(second.baseUrl()).get(STATS).json();
    assertEquals(350, after.get("accepted").asLong());
    assertEquals(350, NodeFixture.countInMinutes(after), "every record in exactly one minute");
  }

  @Test
  void agentHeadersAreValidated() {
    TestHttp http = new TestHttp(first.baseUrl());
    assertEquals(
        400,
        http.post("/api/v1/ingest", traffic("/v1/x", 0, 1, 1, 0), "X-Agent-Id", "gw-1").status());
    assertEquals(
        400,
        http.post(
                "/api/v1/ingest",
                traffic("/v1/x", 0, 1, 1, 0),
                "X-Agent-Id",
                "gw-1",
                "X-Agent-Seq",
                "-3")
            .status());
    assertEquals(
        400,
        http.post(
                "/api/v1/ingest",
                traffic("/v1/x", 0, 1, 1, 0),
                "X-Agent-Id",
                "bad id",
                "X-Agent-Seq",
                "3")
            .status());
  }
}
