package io.autoglm.monitor.protocols.capture;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureCodecTest {

  static final String MINIMAL =
      "{\"ts\":1767225600000,\"endpoint\":\"/v1/chat/completions\",\"status\":200,"
          + "\"latency_ms\":812.5,\"src_ip\":\"100.64.0.1\"}";

  static CaptureRecord full() {
    return new CaptureRecord(
        1767225600123L,
        "/v1/chat/completions",
        "POST",
        200,
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
  }

  @Test
  void encodesEveryFieldInSchemaOrderWithSnakeCaseKeys() {
    assertEquals(
        "{\"ts\":1767225600123,\"endpoint\":\"/v1/chat/completions\",\"method\":\"POST\","
            + "\"status\":200,\"latency_ms\":812.35,\"src_ip\":\"100.64.1.2\",\"bytes_in\":1234,"
            + "\"bytes_out\":5678,\"model\":\"glm-4\",\"prompt_tokens\":321,"
            + "\"completion_tokens\":45,\"ttft_ms\":131.24,\"service\":\"chat-api\","
            + "\"api_key_id\":\"key-1\",\"tenant\":\"acme\",\"trace_id\":\"00ab12cd34ef5678\","
            + "\"host\":\"gw-01\"}",
        CaptureCodec.encode(full()));
  }

  @Test
  void encodeOmitsAbsentOptionalFieldsButAlwaysWritesMethod() {
    CaptureRecord r = CaptureRecord.of(1767225600000L, "/health", 204, 0.5, "::1");
    assertEquals(
        "{\"ts\":1767225600000,\"endpoint\":\"/health\",\"method\":\"POST\",\"status\":204,"
            + "\"latency_ms\":0.5,\"src_ip\":\"::1\"}",
        CaptureCodec.encode(r));
  }

  @Test
  void roundTripsFullMinimalAndAwkwardRecords() {
    List<CaptureRecord> records =
        List.of(
            full(),
            CaptureRecord.of(946684800000L, "/", 100, 0, "0.0.0.0"),
            CaptureRecord.of(4102444799999L, "/v1/models?x=1&y=%20", 599, 86_400_000, "2001:db8::7")
                .withMethod("GET")
                .withLlm("模型-\"quoted\"\\", 0, 0, 0.0)
                .withTraceId("tab\there")
                .withBytes(0, CaptureRecord.ABSENT),
            full().withLatencyMs(0.1 + 0.2).withLlm(null, 7, CaptureRecord.ABSENT, Double.NaN));
    for (CaptureRecord r : records) {
      assertEquals(r, CaptureCodec.decodeLine(CaptureCodec.encode(r), 1));
      assertEquals(
          r,
          CaptureCodec.decodeLine(
              CaptureCodec.encode(r).getBytes(UTF_8),
              0,
              CaptureCodec.encode(r).getBytes(UTF_8).length,
              1));
    }
    byte[] ndjson = CaptureCodec.encodeAll(records);
    assertEquals(records, CaptureCodec.decodeAll(ndjson));
  }

  @Test
  void decodesAGeneratorStyleLine() {
    String line =
        "{\"ts\":1767225600417,\"endpoint\":\"/v1/generate\",\"method\":\"POST\",\"status\":429,"
            + "\"latency_ms\":612.07,\"src_ip\":\"100.64.0.17\",\"bytes_in\":1024,"
            + "\"bytes_out\":77,\"model\":\"glm-4-air\",\"prompt_tokens\":88,"
            + "\"completion_tokens\":0,\"ttft_ms\":111.21,\"trace_id\":\"0f0e0d0c0b0a0908\"}";
    CaptureRecord r = CaptureCodec.decodeLine(line, 1);
    assertEquals(1767225600417L, r.ts());
    assertEquals("/v1/generate", r.endpoint());
    assertEquals(429, r.status());
    assertTrue(r.isError());
    assertEquals(612.07, r.latencyMs());
    assertEquals(1024, r.bytesIn());
    assertEquals("glm-4-air", r.model());
    assertEquals(88, r.totalTokens());
    assertEquals(111.21, r.ttftMs());
    assertEquals("0f0e0d0c0b0a0908", r.traceId());
    assertNull(r.service());
    assertNull(r.tenant());
  }

  @Test
  void missingOptionalFieldsAreAbsentAndMethodDefaultsToPost() {
    CaptureRecord r = CaptureCodec.decodeLine(MINIMAL, 1);
    assertEquals("POST", r.method());
    assertFalse(r.hasBytesIn());
    assertFalse(r.hasBytesOut());
    assertFalse(r.hasPromptTokens());
    assertFalse(r.hasCompletionTokens());
    assertFalse(r.hasTtft());
    assertEquals(0, r.totalTokens());
    assertNull(r.model());
    assertNull(r.host());
  }

  @Test
  void nullOrEmptyOptionalFieldsAreAbsent() {
    String line =
        MINIMAL.replace(
            "}",
            ",\"method\":null,\"bytes_in\":null,\"ttft_ms\":null,"
                + "\"model\":\"\",\"service\":null,\"tenant\":\"\",\"host\":null}");
    assertEquals(CaptureCodec.decodeLine(MINIMAL, 1), CaptureCodec.decodeLine(line, 1));
  }

  @Test
  void unknownFieldsAreSkippedWhateverTheirShape() {
    String line =
        "{\"x\":{\"a\":[1,{\"b\":[[],{}]}],\"c\":null},\"ts\":1767225600000,"
            + "\"endpoint\":\"/v1/chat/completions\",\"headers\":[\"a\",\"b\"],\"status\":200,"
            + "\"flag\":true,\"latency_ms\":812.5,\"n\":1e400,\"src_ip\":\"100.64.0.1\",\"z\":null}";
    assertEquals(CaptureCodec.decodeLine(MINIMAL, 1), CaptureCodec.decodeLine(line, 1));
  }

  @Test
  void duplicateKeysLastOneWins() {
    CaptureRecord r = CaptureCodec.decodeLine(MINIMAL.replace("}", ",\"status\":503}"), 1);
    assertEquals(503, r.status());
    // an earlier bad value is overridden by a later good one ...
    r =
        CaptureCodec.decodeLine(
            "{\"status\":\"abc\",\"bytes_in\":-4,"
                + MINIMAL.substring(1).replace("}", ",\"bytes_in\":9}"),
            1);
    assertEquals(200, r.status());
    assertEquals(9, r.bytesIn());
    // ... and a later bad value rejects the line
    CaptureFormatException e =
        assertThrows(
            CaptureFormatException.class,
            () -> CaptureCodec.decodeLine(MINIMAL.replace("}", ",\"status\":\"abc\"}"), 4));
    assertEquals("status", e.field());
    // a later null makes a required field missing
    e =
        assertThrows(
            CaptureFormatException.class,
            () -> CaptureCodec.decodeLine(MINIMAL.replace("}", ",\"src_ip\":null}"), 4));
    assertEquals("src_ip", e.field());
    assertEquals("is required", e.reason());
  }

  @Test
  void errorMessageNamesLineFieldRuleAndValue() {
    CaptureFormatException e =
        assertThrows(
            CaptureFormatException.class,
            () -> CaptureCodec.decodeLine(MINIMAL.replace("200", "\"abc\""), 3));
    assertEquals(3, e.line());
    assertEquals("status", e.field());
    assertEquals("must be an integer between 100 and 599, got \"abc\"", e.reason());
    assertEquals(
        "line 3: field 'status': must be an integer between 100 and 599, got \"abc\"",
        e.getMessage());
  }

  @Test
  void theFirstBadFieldInSchemaOrderIsReportedWhateverKindOfProblemItIs() {
    String[][] cases = {
      {"{\"ts\":1}", "ts"},
      {"{}", "ts"},
      {"{\"status\":\"abc\",\"endpoint\":\"bad\",\"ts\":1767225600000}", "endpoint"},
      {
        "{\"src_ip\":\"x\",\"latency_ms\":-1,\"status\":200,\"endpoint\":\"/a\","
            + "\"ts\":1767225600000}",
        "latency_ms"
      },
      {
        "{\"host\":7,\"ts\":1767225600000,\"endpoint\":\"/a\",\"status\":200,"
            + "\"latency_ms\":1,\"src_ip\":\"x\"}",
        "src_ip"
      },
      {
        "{\"host\":7,\"model\":\""
            + "m".repeat(200)
            + "\",\"ts\":1767225600000,"
            + "\"endpoint\":\"/a\",\"status\":200,\"latency_ms\":1}",
        "src_ip"
      },
      {
        "{\"host\":7,\"model\":\""
            + "m".repeat(200)
            + "\",\"ts\":1767225600000,"
            + "\"endpoint\":\"/a\",\"status\":200,\"latency_ms\":1,\"src_ip\":\"::1\"}",
        "model"
      },
    };
    for (String[] c : cases) {
      CaptureFormatException e =
          assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeLine(c[0], 1), c[0]);
      assertEquals(c[1], e.field(), e.getMessage());
    }
  }

  @Test
  void wholeLineErrorsHaveNoField() {
    String[][] cases = {
      {"[1,2,3]", "not a JSON object"},
      {"42", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {"null", "not a JSON object"},
      {"{\"ts\":1767225600000,", "malformed JSON"},
      {"{ts:1}", "malformed JSON"},
      {"{\"ts\":NaN}", "malformed JSON"},
      {"hello", "malformed JSON"},
      {"   ", "empty line"},
      {MINIMAL + " x", "unexpected content after the JSON object"},
      {MINIMAL + MINIMAL, "unexpected content after the JSON object"},
      {MINIMAL + "}", "unexpected content after the JSON object"},
      {MINIMAL + " 7", "unexpected content after the JSON object"},
      {"{\"x\":" + "[".repeat(100) + "]".repeat(100) + "}", "malformed JSON"},
    };
    for (String[] c : cases) {
      CaptureFormatException e =
          assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeLine(c[0], 9), c[0]);
      assertNull(e.field(), c[0]);
      assertEquals(9, e.line());
      assertTrue(e.reason().startsWith(c[1]), c[0] + " -> " + e.reason());
      assertTrue(e.getMessage().startsWith("line 9: " + c[1]), e.getMessage());
      byte[] b = c[0].getBytes(UTF_8);
      CaptureFormatException eb =
          assertThrows(
              CaptureFormatException.class, () -> CaptureCodec.decodeLine(b, 0, b.length, 9), c[0]);
      assertNull(eb.field());
      assertTrue(eb.reason().startsWith(c[1]), c[0] + " -> " + eb.reason());
    }
    // trailing whitespace is not garbage
    assertEquals(200, CaptureCodec.decodeLine(MINIMAL + " \t\r", 1).status());
  }

  @Test
  void invalidUtf8IsAMalformedLine() {
    byte[] line = MINIMAL.replace("/v1/chat/completions", "/v1/x").getBytes(UTF_8);
    byte[] bad = new byte[line.length];
    System.arraycopy(line, 0, bad, 0, line.length);
    int at = MINIMAL.indexOf("/v1/") + 4;
    bad[at] = (byte) 0xC3; // a lead byte followed by ASCII
    CaptureFormatException e =
        assertThrows(
            CaptureFormatException.class, () -> CaptureCodec.decodeLine(bad, 0, bad.length, 1));
    assertNull(e.field());
  }

  @Test
  void overlongLinesAreRejectedWithoutParsing() {
    byte[] big = new byte[CaptureCodec.MAX_LINE_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    CaptureFormatException e =
        assertThrows(
            CaptureFormatException.class, () -> CaptureCodec.decodeLine(big, 0, big.length, 1));
    assertTrue(e.reason().contains("longer than"), e.reason());
  }

  @Test
  void aLineOfExactlyTheLimitIsParsedAndOneByteMoreIsNot() {
    CaptureRecord r = CaptureRecord.of(1_767_225_600_000L, "/v1/x", 200, 5, "10.0.0.1");
    String head = CaptureCodec.encode(r);
    String shell = head.substring(0, head.length() - 1) + ",\"pad\":\"\"}";
    String atLimit =
        shell.replace(
            "\"pad\":\"\"",
            "\"pad\":\"" + "p".repeat(CaptureCodec.MAX_LINE_BYTES - shell.length()) + "\"");
    assertEquals(CaptureCodec.MAX_LINE_BYTES, atLimit.length());
    byte[] ok = atLimit.getBytes(UTF_8);
    assertEquals(r, CaptureCodec.decodeLine(atLimit, 1));
    assertEquals(r, CaptureCodec.decodeLine(ok, 0, ok.length, 1));
    assertEquals(new DecodeReport(1, 0, null), CaptureCodec.decodeLenient(ok, x -> {}));

    byte[] over = atLimit.replace("\"pad\":\"", "\"pad\":\"p").getBytes(UTF_8);
    DecodeReport report = CaptureCodec.decodeLenient(over, x -> fail("nothing is accepted"));
    assertEquals(1, report.rejected());
    assertNull(report.firstError().field());
    assertEquals(
        "line is longer than " + CaptureCodec.MAX_LINE_BYTES + " bytes",
        report.firstError().reason());
  }

  @Test
  void decodeLineHonoursOffsetAndLength() {
    byte[] buf = ("garbage" + MINIMAL + "garbage").getBytes(UTF_8);
    assertEquals(
        CaptureCodec.decodeLine(MINIMAL, 1), CaptureCodec.decodeLine(buf, 7, MINIMAL.length(), 1));
    assertThrows(
        IndexOutOfBoundsException.class, () -> CaptureCodec.decodeLine(buf, 7, buf.length, 1));
  }

  @Test
  void decodeAllCountsBlankLinesAndHandlesCrlfAndAMissingFinalNewline() {
    String doc =
        "\r\n"
            + MINIMAL
            + "\r\n\r\n   \n"
            + MINIMAL.replace("200", "201")
            + "\n\t\n"
            + MINIMAL.replace("200", "202");
    List<CaptureRecord> rs = CaptureCodec.decodeAll(doc.getBytes(UTF_8));
    assertEquals(List.of(200, 201, 202), rs.stream().map(CaptureRecord::status).toList());

    String bad =
        "\r\n" + MINIMAL + "\r\n\r\n" + MINIMAL.replace("200", "99") + "\r\n" + "not json\r\n";
    CaptureFormatException e =
        assertThrows(
            CaptureFormatException.class, () -> CaptureCodec.decodeAll(bad.getBytes(UTF_8)));
    assertEquals(4, e.line(), "the first bad line is reported");
    assertEquals("status", e.field());
    assertEquals("must be an integer between 100 and 599, got 99", e.reason());
  }

  @Test
  void decodeAllOfNothingIsEmpty() {
    assertEquals(List.of(), CaptureCodec.decodeAll(new byte[0]));
    assertEquals(List.of(), CaptureCodec.decodeAll("\n\r\n  \n".getBytes(UTF_8)));
  }

  @Test
  void lenientDecodeKeepsGoodLinesCountsBadOnesAndKeepsTheFirstError() {
    String doc =
        MINIMAL
            + "\n"
            + "{\"ts\":1}\n"
            + "\n"
            + MINIMAL.replace("200", "500")
            + "\r\n"
            + "[]\n"
            + MINIMAL.replace("100.64.0.1", "not-an-ip")
            + "\n"
            + MINIMAL.replace("200", "404");
    List<CaptureRecord> got = new ArrayList<>();
    DecodeReport report = CaptureCodec.decodeLenient(doc.getBytes(UTF_8), got::add);
    assertEquals(3, report.accepted());
    assertEquals(3, report.rejected());
    assertFalse(report.clean());
    assertEquals(List.of(200, 500, 404), got.stream().map(CaptureRecord::status).toList());
    assertEquals(2, report.firstError().line());
    assertEquals("ts", report.firstError().field());

    DecodeReport clean = CaptureCodec.decodeLenient((MINIMAL + "\n").getBytes(UTF_8), r -> {});
    assertEquals(new DecodeReport(1, 0, null), clean);
    assertTrue(clean.clean());
  }

  @Test
  void lenientDecodeOfAChunkNumbersLinesFromTheGivenStart() {
    byte[] buf = ("xx" + MINIMAL + "\nbad\n").getBytes(UTF_8);
    List<CaptureRecord> got = new ArrayList<>();
    DecodeReport report = CaptureCodec.decodeLenient(buf, 2, buf.length - 2, 1001, got::add);
    assertEquals(1, report.accepted());
    assertEquals(1002, report.firstError().line());
  }

  @Test
  void encodeToAStreamWritesOneNdjsonLinePerRecordAndLeavesTheStreamOpen() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CaptureCodec.encode(full(), out);
    CaptureCodec.encode(full().withStatus(503), out);
    out.write("\n".getBytes(UTF_8)); // still open
    String text = out.toString(UTF_8);
    assertEquals(
        CaptureCodec.encode(full()) + "\n" + CaptureCodec.encode(full().withStatus(503)) + "\n\n",
        text);
    try (CaptureWriter w = new CaptureWriter(out, false)) {
      w.write(full());
      assertEquals(1, w.written());
    }
    assertEquals(3, CaptureCodec.decodeAll(out.toByteArray()).size());
  }
}
