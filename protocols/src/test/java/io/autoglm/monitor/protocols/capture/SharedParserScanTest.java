package io.autoglm.monitor.protocols.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Decoding a whole body (which reads many lines with one parser) must give exactly what decoding
 * each line on its own gives, for every mix of good and bad lines.
 */
class SharedParserScanTest {
  private static final String GOOD =
      "{\"ts\":1767225600000,\"endpoint\":\"/v1/x\",\"status\":200,\"latency_ms\":5,\"src_ip\":\"10.0.0.1\"}";
  private static final String[] LINES = {
    GOOD,
    GOOD.replace("200", "503"),
    "",
    "   ",
    GOOD + " " + GOOD, // two objects on one line
    GOOD + " trailing",
    "{\"ts\":1767225600000,\"endpoint\":\"/v1/x\",", // an object that continues on the next line
    "\"status\":200,\"latency_ms\":5,\"src_ip\":\"10.0.0.1\"}",
    GOOD.replace("\"10.0.0.1\"", "\"nope\""), // validation failure
    GOOD.replace("200", "\"abc\""), // type error
    "not json",
    "[1,2]",
    "{\"ts\":1767225600000",
    "}",
    GOOD + "\r",
    "{\"nested\":{\"a\":[1,{\"b\":2}]}," + GOOD.substring(1),
  };

  @Test
  void sameAnswersAsLineByLine() {
    Random random = new Random(11);
    for (int round = 0; round < 300; round++) {
      List<String> lines = new ArrayList<>();
      int n = 1 + random.nextInt(12);
      for (int i = 0; i < n; i++) {
        lines.add(LINES[random.nextInt(LINES.length)]);
      }
      String body = String.join("\n", lines) + (random.nextBoolean() ? "\n" : "");

      List<CaptureRecord> expected = new ArrayList<>();
      long expectedRejected = 0;
      Long firstBadLine = null;
      String firstField = null;
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i).replace("\r", "");
        if (l.isBlank()) {
          continue;
        }
        try {
          expected.add(CaptureCodec.decodeLine(l, i + 1));
        } catch (CaptureFormatException e) {
          expectedRejected++;
          if (firstBadLine == null) {
            firstBadLine = e.line();
            firstField = e.field();
          }
        }
      }
      List<CaptureRecord> actual = new ArrayList<>();
      DecodeReport report =
          CaptureCodec.decodeLenient(body.getBytes(StandardCharsets.UTF_8), actual::add);
      assertEquals(expected, actual, body);
      assertEquals(expectedRejected, report.rejected(), body);
      assertEquals(
          firstBadLine, report.firstError() == null ? null : report.firstError().line(), body);
      assertEquals(
          firstField, report.firstError() == null ? null : report.firstError().field(), body);
    }
  }
}
