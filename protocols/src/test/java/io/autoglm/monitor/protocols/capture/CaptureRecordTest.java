package io.autoglm.monitor.protocols.capture;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.autoglm.monitor.protocols.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureRecordTest {

  static final long T0 = 1767225600000L;

  @Test
  void statusClassAndErrorClassification() {
    int[][] cases = {
      {101, 1, 0},
      {200, 2, 0},
      {204, 2, 0},
      {302, 3, 0},
      {400, 4, 0},
      {404, 4, 0},
      {428, 4, 0},
      {429, 4, 1},
      {430, 4, 0},
      {500, 5, 1},
      {503, 5, 1},
      {599, 5, 1}
    };
    for (int[] c : cases) {
      CaptureRecord r = CaptureRecord.of(T0, "/v1/x", c[0], 1, "10.0.0.1");
      assertEquals(c[1], r.statusClass(), "status " + c[0]);
      assertEquals(c[2] == 1, r.isError(), "status " + c[0]);
    }
  }

  @Test
  void totalTokensCountsOnlyPresentFields() {
    CaptureRecord r = CaptureRecord.of(T0, "/v1/x", 200, 1, "10.0.0.1");
    assertEquals(0, r.totalTokens());
    assertEquals(30, r.withLlm("glm-4", 30, CaptureRecord.ABSENT, Double.NaN).totalTokens());
    assertEquals(12, r.withLlm(null, CaptureRecord.ABSENT, 12, Double.NaN).totalTokens());
    assertEquals(42, r.withLlm("glm-4", 30, 12, 5).totalTokens());
  }

  @Test
  void ofLeavesEveryOptionalFieldAbsent() {
    CaptureRecord r = CaptureRecord.of(T0, "/v1/x", 200, 1.5, "10.0.0.1");
    assertEquals("POST", r.method());
    assertEquals(CaptureRecord.ABSENT, r.bytesIn());
    assertEquals(CaptureRecord.ABSENT, r.completionTokens());
    assertTrue(Double.isNaN(r.ttftMs()));
    assertFalse(r.hasTtft());
    assertNull(r.model());
    assertNull(r.traceId());
    assertEquals(r, CaptureRecord.of(T0, "/v1/x", 200, 1.5, "10.0.0.1"), "NaN equals NaN");
  }

  @Test
  void emptyOptionalStringsBecomeAbsentAndEmptyMethodBecomesPost() {
    CaptureRecord r =
        new CaptureRecord(
            T0,
            "/v1/x",
            "",
            200,
            1,
            "10.0.0.1",
            -1,
            -1,
            "",
            -1,
            -1,
            Double.NaN,
            "",
            "",
            "",
            "",
            "");
    assertEquals(CaptureRecord.of(T0, "/v1/x", 200, 1, "10.0.0.1"), r);
  }

  @Test
  void constructorRejectsInvalidComponentsNamingTheWireField() {
    CaptureRecord ok = CaptureRecord.of(T0, "/v1/x", 200, 1, "10.0.0.1");
    Object[][] cases = {
      {"ts", (Runnable) () -> ok.withTs(0)},
      {"endpoint", (Runnable) () -> ok.withEndpoint(null)},
      {"endpoint", (Runnable) () -> ok.withEndpoint("x")},
      {"method", (Runnable) () -> ok.withMethod("post")},
      {"status", (Runnable) () -> ok.withStatus(99)},
      {"latency_ms", (Runnable) () -> ok.withLatencyMs(Double.NaN)},
      {"latency_ms", (Runnable) () -> ok.withLatencyMs(Double.POSITIVE_INFINITY)},
      {"src_ip", (Runnable) () -> ok.withSrcIp(null)},
      {"src_ip", (Runnable) () -> ok.withSrcIp("gateway.local")},
      {"bytes_in", (Runnable) () -> ok.withBytes(-2, 0)},
      {"bytes_out", (Runnable) () -> ok.withBytes(0, -2)},
      {"prompt_tokens", (Runnable) () -> ok.withLlm(null, -5, 0, 0)},
      {"ttft_ms", (Runnable) () -> ok.withLlm(null, 0, 0, -1)},
      {"ttft_ms", (Runnable) () -> ok.withLlm(null, 0, 0, Double.POSITIVE_INFINITY)},
      {"service", (Runnable) () -> ok.withService("a/b")},
      {"host", (Runnable) () -> ok.withHost("h".repeat(257))},
    };
    for (Object[] c : cases) {
      CaptureFieldException e = assertThrows(CaptureFieldException.class, ((Runnable) c[1])::run);
      assertEquals(c[0], e.field());
      assertTrue(e.getMessage().startsWith("field '" + c[0] + "': "), e.getMessage());
    }
  }

  @Test
  void ipv6SourceAddressesAreStoredCanonically() {
    CaptureRecord r = CaptureRecord.of(T0, "/v1/x", 200, 1, "2001:0DB8:0000:0000:0000::0001");
    assertEquals("2001:db8::1", r.srcIp());
    assertEquals(r, CaptureRecord.of(T0, "/v1/x", 200, 1, "2001:db8::1"));
  }

  @Test
  void withersChangeOneFieldAndKeepTheRest() {
    CaptureRecord r =
        CaptureRecord.of(T0, "/v1/x", 200, 1, "10.0.0.1")
            .withMethod("GET")
            .withService("svc")
            .withTenant("acme")
            .withApiKeyId("k")
            .withTraceId("t")
            .withHost("h")
            .withBytes(1, 2)
            .withLlm("glm-4", 3, 4, 5.5);
    CaptureRecord expected =
        new CaptureRecord(
            T0,
            "/v1/x",
            "GET",
            200,
            1,
            "10.0.0.1",
            1,
            2,
            "glm-4",
            3,
            4,
            5.5,
            "svc",
            "k",
            "acme",
            "t",
            "h");
    assertEquals(expected, r);
    assertEquals(503, r.withStatus(503).status());
    assertEquals("GET", r.withStatus(503).method());
  }

  @Test
  void survivesJacksonJsonAndCborDataBinding() throws Exception {
    CaptureRecord full =
        new CaptureRecord(
            T0,
            "/v1/chat/completions",
            "POST",
            429,
            812.35,
            "100.64.1.2",
            1234,
            5678,
            "glm-4",
            321,
            45,
            131.24,
            "chat-api",
            "key-1",
            "acme",
            "00ab12cd34ef5678",
            "gw-01");
    CaptureRecord sparse =
        CaptureRecord.of(T0, "/health", 200, 0.5, "::1")
            .withLlm("模型-😀", 1, CaptureRecord.ABSENT, Double.NaN);
    CaptureBatch batch = new CaptureBatch("edge-1:gw", 3, 17, List.of(full, sparse));
    for (ObjectMapper mapper : List.of(Json.mapper(), new CBORMapper())) {
      byte[] bytes = mapper.writeValueAsBytes(batch);
      assertEquals(batch, mapper.readValue(bytes, CaptureBatch.class), mapper.getClass().getName());
      String json = Json.mapper().writeValueAsString(full);
      assertFalse(json.contains("\"error\""), "helpers are not serialized: " + json);
    }
  }
}
