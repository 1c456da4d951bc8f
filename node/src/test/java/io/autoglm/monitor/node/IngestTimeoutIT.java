package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.EndpointStatsView;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * An HTTP ingest whose records are not all persisted within the ingest timeout (the journal fails
 * the first writes of one endpoint) answers 503 saying exactly which endpoints' records are counted
 * and which may or may not be, and the key under which the same body can be sent again without
 * counting anything twice.
 */
class IngestTimeoutIT {

  @Test
  void aPartlyPersistedBodyIsReportedEndpointByEndpointAndCanBeSentAgainSafely() throws Exception {
    try (Node node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "pekko.persistence.journal.plugin", "slow-journal",
                    "slow-journal.class", SlowJournal.class.getName(),
                    "slow-journal.delay", "0s",
                    "slow-journal.only-ids-containing", "/v1/slow",
                    "slow-journal.failing-writes", 2,
                    "autoglm.http.ingest-timeout", "2s")))) {
      TestHttp http = new TestHttp(node.baseUrl());
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(NodeFixture.traffic("/v1/fast", 0, 3, 10, 0));
      body.write(NodeFixture.traffic("/v1/slow", 0, 2, 10, 0));

      TestHttp.Reply r = http.post("/api/v1/ingest", body.toByteArray());
      assertEquals(503, r.status(), r.body());
      JsonNode answer = r.json();
      assertEquals(30, answer.at("/counted/accepted").asLong(), r.body());
      assertEquals("[\"default/v1/fast\"]", answer.at("/counted/endpoints").toString());
      assertEquals(20, answer.at("/unconfirmed/records").asLong(), r.body());
      assertEquals("[\"default/v1/slow\"]", answer.at("/unconfirmed/endpoints").toString());
      JsonNode retryWith = answer.get("retryWith");
      assertTrue(retryWith.get("X-Agent-Id").asText().startsWith("~http."), r.body());
      assertEquals("0", retryWith.get("X-Agent-Seq").asText(), r.body());

      // with the client's own agent headers, the answer names them for the retry
      byte[] more = NodeFixture.traffic("/v1/slow", 2, 3, 10, 0);
      TestHttp.Reply identified =
          http.post("/api/v1/ingest", more, "X-Agent-Id", "gw-1", "X-Agent-Seq", "1");
      assertEquals(503, identified.status(), identified.body());
      assertTrue(
          identified
              .json()
              .get("retry")
              .asText()
              .startsWith("send the same body again with the same"),
          identified.body());
      assertEquals(
          "gw-1", identified.json().at("/retryWith/X-Agent-Id").asText(), identified.body());

      // sent again under the node's key: the counted part is a duplicate, the rest counts once
      TestHttp.Reply again =
          http.post(
              "/api/v1/ingest",
              body.toByteArray(),
              "X-Agent-Id",
              retryWith.get("X-Agent-Id").asText(),
              "X-Agent-Epoch",
              retryWith.get("X-Agent-Epoch").asText(),
              "X-Agent-Seq",
              retryWith.get("X-Agent-Seq").asText());
      assertEquals(200, again.status(), again.body());
      assertEquals(20, again.json().get("accepted").asLong(), again.body());
      assertEquals(30, again.json().get("duplicates").asLong(), again.body());
      TestHttp.Reply identifiedAgain =
          http.post("/api/v1/ingest", more, "X-Agent-Id", "gw-1", "X-Agent-Seq", "1");
      assertEquals(10, identifiedAgain.json().get("accepted").asLong(), identifiedAgain.body());

      // (asked of the entities: the endpoint listing reads the Cassandra journal, not this one)
      assertEquals(30, accepted(node, "default/v1/fast"));
      assertEquals(30, accepted(node, "default/v1/slow"));
    }
  }

  private static long accepted(Node node, String endpointId) {
    EndpointStatsView stats =
        ClusterSharding.get(node.system())
            .entityRefFor(EndpointStatsEntity.ENTITY_TYPE_KEY, endpointId)
            .<EndpointStatsView>ask(
                replyTo -> new EndpointStatsEntity.GetStats(0, replyTo), Duration.ofSeconds(5))
            .toCompletableFuture()
            .join();
    return stats.accepted();
  }
}
