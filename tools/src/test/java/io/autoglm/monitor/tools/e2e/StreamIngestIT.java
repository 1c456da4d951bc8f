package io.autoglm.monitor.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import io.autoglm.monitor.node.TestHttp;
import io.autoglm.monitor.node.TestWebSocket;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent stream over a real WebSocket: acks, replays, and every kind of bad input. */
class StreamIngestIT {
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "autoglm.ingest.stream.max-frame-bytes",
                    "64k",
                    "autoglm.ingest.stream.flush-interval",
                    "200ms",
                    "autoglm.stats.min-write-interval",
                    "200ms")));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** A raw client of the agent stream, with these query parameters. */
  private static TestWebSocket connect(String query) throws Exception {
    return TestWebSocket.connect(node.baseUrl(), "/api/v1/ingest/stream?" + query);
  }

  private static String batch(long seq, String path, int fromSec, int toSec) {
    return "{\"seq\":"
        + seq
        + "}\n"
        + new String(NodeFixture.traffic(path, fromSec, toSec, 10, 0), StandardCharsets.UTF_8);
  }

  @Test
  void batchesAreAckedCumulativelyAfterPersistingAndReplaysCountOnce() throws Exception {
    List<CaptureRecord> records = new ArrayList<>();
    for (int s = 0; s < 30; s++) {
      for (int i = 0; i < 20; i++) {
        records.add(
            CaptureRecord.of(
                NodeFixture.T0 + s * 1000L + i * 50, "/v1/embeddings", 200, 40, "10.9.0.1"));
      }
    }
    List<String> log = new ArrayList<>();
    try (StreamShipper agent =
        new StreamShipper(
            new StreamShipper.Options(
                List.of("127.0.0.1:" + node.httpPort()),
                "gw-stream",
                1,
                "edge",
                4,
                Duration.ofMillis(200),
                log::add))) {
      for (List<CaptureRecord> b : StreamShipper.batches(records, 50)) {
        agent.send(b);
      }
      assertTrue(agent.awaitAcked(Duration.ofSeconds(30)), log.toString());
      assertEquals(12, agent.ackedSeq());
      assertEquals(600L, agent.totals().get("accepted"));
    }
    // the same agent epoch again from seq 1 on a new connection: all replays
    try (StreamShipper again =
        new StreamShipper(
            new StreamShipper.Options(
                List.of("127.0.0.1:" + node.httpPort()),
                "gw-stream",
                1,
                "edge",
                4,
                Duration.ofMillis(200),
                log::add))) {
      for (List<CaptureRecord> b : StreamShipper.batches(records, 50)) {
        again.send(b);
      }
      assertTrue(again.awaitAcked(Duration.ofSeconds(30)), log.toString());
      assertEquals(0L, again.totals().get("accepted"));
      assertEquals(600L, again.totals().get("duplicates"));
    }
    JsonNode stats = http.get("/api/v1/endpoints/edge%2Fv1%2Fembeddings/stats").json();
    assertEquals(600, stats.get("accepted").asLong());
  }

  @Test
  void malformedRecordsAreCountedAndReportedWithoutStoppingTheStream() throws Exception {
    TestWebSocket c = connect("agent=gw-bad&epoch=1");
    String good = batch(1, "/v1/models", 0, 2);
    c.sendText(
        good
            + "{\"ts\": 1767225600000, \"endpoint\": \"/v1/models\", \"status\": 200, \"latency_ms\": 1, \"src_ip\": \"not-an-ip\"}\nnot json\n");
    JsonNode ack = c.nextJson();
    assertEquals("ack", ack.get("type").asText(), ack.toString());
    assertEquals(1, ack.get("seq").asLong());
    assertEquals(20, ack.get("accepted").asLong());
    assertEquals(2, ack.get("rejected").asLong());
    assertTrue(ack.get("firstError").asText().contains("src_ip"), ack.toString());
    c.sendText(batch(2, "/v1/models", 2, 3));
    JsonNode next = c.nextJson();
    assertEquals(2, next.get("seq").asLong(), "the stream goes on");
    assertEquals(10, next.get("accepted").asLong());
  }

  @Test
  void aSeqGoingBackwardsIsAProtocolError() throws Exception {
    TestWebSocket c = connect("agent=gw-seq&epoch=1");
    c.sendText(batch(5, "/v1/completions", 0, 1));
    assertEquals(5, c.nextJson().get("seq").asLong());
    c.sendText(batch(4, "/v1/completions", 1, 2));
    JsonNode error = c.nextJson();
    assertEquals("error", error.get("type").asText(), error.toString());
    assertEquals("seq", error.get("code").asText());
    assertTrue(error.get("error").asText().contains("backwards"), error.toString());
    assertEquals(1002, c.closeCode(), "closed as a protocol error");
    assertTrue(c.closeReason().contains("backwards"), c.closeReason());
  }

  @Test
  void anOversizedFrameEndsTheStreamWithAReason() throws Exception {
    TestWebSocket c = connect("agent=gw-big&epoch=1");
    // 600 records, about 90 KB > 64 KB: the node may close before the client has written it all
    c.sendMaybeCutShort(
        java.nio.charset.StandardCharsets.UTF_8.encode(batch(1, "/v1/big", 0, 60)), true);
    JsonNode error = c.nextJson();
    assertEquals("error", error.get("type").asText(), error.toString());
    assertEquals("frame", error.get("code").asText());
    assertTrue(error.get("error").asText().contains("larger than 65536"), error.toString());
    assertEquals(1009, c.closeCode(), "closed with 1009 (message too big)");
    assertTrue(c.closeReason().contains("larger than 65536"), c.closeReason());
    assertEquals(
        404,
        http.get("/api/v1/endpoints/default%2Fv1%2Fbig/stats").status(),
        "nothing was counted");
  }

  @Test
  void headerAndHandshakeErrors() throws Exception {
    TestWebSocket c = connect("agent=gw-hdr&epoch=1");
    c.sendText(
        "{\"sequence\": 1}\n"
            + CaptureCodec.encode(CaptureRecord.of(NodeFixture.T0, "/v1/x", 200, 1, "10.0.0.1")));
    assertEquals("header", c.nextJson().get("code").asText());

    TestWebSocket binary = connect("agent=gw-bin&epoch=1");
    binary.sendBinary(new byte[] {1, 2, 3});
    assertEquals("frame", binary.nextJson().get("code").asText());
    assertEquals(1002, binary.closeCode());

    TestWebSocket gzipBomb = connect("agent=gw-bomb&epoch=1");
    byte[] zeros = new byte[5_000_000];
    gzipBomb.sendBinary(
        io.autoglm.monitor.protocols.wire.BatchFrame.encode(1, zeros, 0, zeros.length, true));
    assertTrue(gzipBomb.nextJson().get("error").asText().contains("inflates past the limit"));
    assertEquals(1009, gzipBomb.closeCode(), "a batch that inflates too far is too big");

    TestWebSocket ping = connect("agent=gw-ping&epoch=1");
    ping.sendPing("are you there");
    assertEquals("are you there", ping.pong(), "a ping is answered with a pong");
    ping.close();
    assertEquals(1000, ping.closeCode(), "a close is answered with a close");

    assertEquals(400, http.get("/api/v1/ingest/stream?epoch=1").status(), "agent is required");
    assertEquals(400, http.get("/api/v1/ingest/stream?agent=bad%20id").status());
    TestHttp.Reply badEpoch = http.get("/api/v1/ingest/stream?agent=gw&epoch=-1");
    assertEquals(400, badEpoch.status());
    assertTrue(
        badEpoch.json().get("error").asText().contains("query parameter 'epoch'"), badEpoch.body());
    TestHttp.Reply notWs = http.get("/api/v1/ingest/stream?agent=gw&epoch=1");
    assertEquals(400, notWs.status(), "a plain GET is not a WebSocket upgrade");
    assertTrue(notWs.contentType().startsWith("application/json"));
  }
}
