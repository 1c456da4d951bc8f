package io.autoglm.monitor.agent.ship;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.protocols.capture.CaptureBatch;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HttpIngestClientIT {

  static final List<CaptureRecord> RECORDS =
      List.of(
          CaptureRecord.of(1767225600000L, "/v1/chat/completions", 200, 812.5, "100.64.0.1")
              .withLlm("glm-4", 10, 20, 90.5)
              .withTraceId("abc"),
          CaptureRecord.of(1767225600001L, "/health", 503, 1.0, "2001:db8::1").withMethod("GET"));

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void postsNdjsonToTheIngestPath() throws Exception {
    try (RecordingNode node = new RecordingNode().answering(200, "{\"accepted\":2}")) {
      IngestResponse response = new HttpIngestClient(node.baseUri(), TIMEOUT, false).post(RECORDS);
      assertEquals(new IngestResponse(200, "{\"accepted\":2}"), response);
      assertTrue(response.isSuccess());
      RecordingNode.Request req = node.requests().get(0);
      assertEquals("POST", req.method());
      assertEquals("/api/v1/ingest", req.path());
      assertEquals("application/x-ndjson", req.header("Content-type"));
      assertNull(req.header("Content-encoding"));
      assertNull(req.header("X-agent-id"));
      assertNull(req.header("X-agent-seq"));
      assertEquals(
          CaptureCodec.encode(RECORDS.get(0)) + "\n" + CaptureCodec.encode(RECORDS.get(1)) + "\n",
          req.bodyText());
      assertEquals(RECORDS, CaptureCodec.decodeAll(req.body()));
    }
  }

  @Test
  void gzipCompressesTheBody() throws Exception {
    try (RecordingNode node = new RecordingNode()) {
      new HttpIngestClient(node.baseUri(), TIMEOUT, true).post(RECORDS);
      RecordingNode.Request req = node.requests().get(0);
      assertEquals("gzip", req.header("Content-encoding"));
      assertEquals("application/x-ndjson", req.header("Content-type"));
      assertEquals((byte) 0x1f, req.rawBody()[0], "gzip magic");
      assertEquals((byte) 0x8b, req.rawBody()[1], "gzip magic");
      assertEquals(RECORDS, CaptureCodec.decodeAll(req.body()));
    }
  }

  @Test
  void aBatchCarriesItsEnvelopeInHeaders() throws Exception {
    try (RecordingNode node = new RecordingNode()) {
      HttpIngestClient client = new HttpIngestClient(node.baseUri(), TIMEOUT, false);
      client.post(new CaptureBatch("edge-7:gw", 1767225600000L, 42, RECORDS));
      RecordingNode.Request req = node.requests().get(0);
      assertEquals("edge-7:gw", req.header("X-agent-id"));
      assertEquals("1767225600000", req.header("X-agent-epoch"));
      assertEquals("42", req.header("X-agent-seq"));
      assertEquals("/api/v1/ingest", req.path());
      assertEquals(RECORDS, CaptureCodec.decodeAll(req.body()));
    }
  }

  @Test
  void errorAnswersAreReturnedWithTheirBody() throws Exception {
    String error = "{\"error\":\"line 1: field 'status': is required\",\"rejected\":1}";
    try (RecordingNode node = new RecordingNode().answering(400, error)) {
      IngestResponse response = new HttpIngestClient(node.baseUri(), TIMEOUT, false).post(RECORDS);
      assertEquals(400, response.status());
      assertEquals(error, response.body());
      assertFalse(response.isSuccess());
    }
  }

  @Test
  void aBasePathIsKept() throws Exception {
    try (RecordingNode node = new RecordingNode()) {
      URI base = URI.create(node.baseUri() + "/monitor/");
      HttpIngestClient client = new HttpIngestClient(base, TIMEOUT, false);
      assertEquals(URI.create(node.baseUri() + "/monitor/api/v1/ingest"), client.ingestUri());
      client.post(RECORDS);
      assertEquals("/monitor/api/v1/ingest", node.requests().get(0).path());
    }
  }

  @Test
  void anUnreachableNodeIsAnIOException() throws Exception {
    URI closed;
    try (RecordingNode node = new RecordingNode()) {
      closed = node.baseUri();
    }
    HttpIngestClient client = new HttpIngestClient(closed, Duration.ofSeconds(5), false);
    assertThrows(IOException.class, () -> client.post(RECORDS));
  }

  @Test
  void aNodeThatDoesNotAnswerInTimeIsAnIOException() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    CountDownLatch release = new CountDownLatch(1);
    server.createContext(
        "/",
        exchange -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      HttpIngestClient client = new HttpIngestClient(base, Duration.ofMillis(300), false);
      assertThrows(HttpTimeoutException.class, () -> client.post(RECORDS));
    } finally {
      release.countDown();
      server.stop(0);
    }
  }

  @Test
  void rejectsBadConfiguration() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new HttpIngestClient(URI.create("ftp://x:1"), TIMEOUT, false));
    assertThrows(
        IllegalArgumentException.class,
        () -> new HttpIngestClient(URI.create("http://127.0.0.1:1"), Duration.ZERO, false));
  }
}
