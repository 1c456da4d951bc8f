package io.autoglm.monitor.protocols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureFormatException;
import io.autoglm.monitor.protocols.capture.DecodeReport;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleValidationException;
import io.autoglm.monitor.protocols.wire.BatchFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Minimal reproducers of the codec bugs that fuzzing found (issue "Hostile input"), kept so they
 * stay fixed.
 */
class FuzzFindingsTest {

  /**
   * Jackson guesses UTF-16/32 from NUL bytes or a byte-order mark; CaptureCodec.scan then got a
   * char-based parser whose byte offset is -1 and threw ArrayIndexOutOfBoundsException from
   * decodeLenient (used by the HTTP and stream ingest) and decodeAll. Such lines are not UTF-8: now
   * each is rejected like any other bad line.
   */
  @Test
  void decodeLenientNeverThrowsOnUtf16Input() {
    byte[] utf16 = {'{', 0, '}', 0}; // "{}" in UTF-16LE
    DecodeReport report = assertDoesNotThrow(() -> CaptureCodec.decodeLenient(utf16, r -> {}));
    assertEquals(1, report.accepted() + report.rejected());
    assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeAll(utf16));
    byte[] line =
        ("{\"ts\":1767225600000,\"endpoint\":\"/x\",\"status\":200,\"latency_ms\":1,"
                + "\"src_ip\":\"10.0.0.1\"}")
            .getBytes(StandardCharsets.UTF_16LE);
    DecodeReport wide = assertDoesNotThrow(() -> CaptureCodec.decodeLenient(line, r -> {}));
    assertEquals(0, wide.accepted(), "a UTF-16 record is not UTF-8 JSON");
    assertTrue(wide.firstError().reason().contains("not UTF-8"), wide.firstError().getMessage());
  }

  /**
   * RuleCodec refused control and format characters in selectors and descriptions but let an
   * unpaired UTF-16 surrogate through (Character.getType is SURROGATE, neither CONTROL nor FORMAT).
   * JSON's {@code \ud800} escape produces one; the rule then parses, but Jackson's CBOR writer (the
   * Pekko serializer of CborSerializable) refuses it: "Unmatched surrogate pair", so the rule could
   * not be persisted. Now refused like control characters, naming the field.
   */
  @Test
  void ruleTextWithAnUnpairedSurrogateIsRejected() throws Exception {
    ObjectMapper json = Json.mapper();
    for (String field : new String[] {"description", "service", "endpoint"}) {
      String body =
          "{\"metric\":\"qps\",\"op\":\">\",\"threshold\":1,\"" + field + "\":\"/x\\ud800\"}";
      RuleValidationException e =
          assertThrows(
              RuleValidationException.class,
              () -> RuleCodec.parse(json.readTree(body), "r1"),
              body);
      assertEquals(field, e.field());
    }
  }

  /**
   * BatchFrame.decode read {@code maxNdjsonBytes + 1} bytes of a gzip payload; for
   * Integer.MAX_VALUE that overflowed and InputStream.readNBytes threw IllegalArgumentException
   * ("len &lt; 0") instead of decoding. StreamSettings.fromConfig clamps max-frame-bytes to exactly
   * Integer.MAX_VALUE, so a configuration of 2g or more turned every gzip frame into an uncaught
   * exception in the stream.
   */
  @Test
  void gzipFramesDecodeUnderTheLargestLimit() {
    byte[] ndjson = "{}\n".getBytes(StandardCharsets.UTF_8);
    byte[] frame = BatchFrame.encode(1, ndjson, 0, ndjson.length, true);
    assertArrayEquals(ndjson, BatchFrame.decode(frame, Integer.MAX_VALUE).ndjson());
  }
}
