package io.autoglm.monitor.protocols;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureFormatException;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.DecodeReport;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleValidationException;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.protocols.wire.BatchFrame;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every probe of {@code src/test/resources/hostile/} (one hostile input per file, seen in a
 * probe of the running node) through the matching codec and checks the outcome the file states. The
 * format is described in that directory's README.md: header lines {@code # key: value} ({@code
 * expect}, and optionally {@code reason}, {@code message}, {@code payload}; any other {@code #}
 * line is a comment), then the payload.
 */
class HostileCorpusTest {
  private static final ObjectMapper JSON = Json.mapper();
  private static final int DEFAULT_MAX = 1 << 20;

  /** The probes the issue names; the corpus may hold more. */
  private static final Set<String> REQUIRED =
      Set.of(
          "capture-ts-year-2099.txt",
          "capture-completion-tokens-long-max.txt",
          "capture-latency-1e308.txt",
          "capture-endpoint-rlo.txt",
          "capture-endpoint-zero-width-space.txt",
          "capture-endpoint-bom.txt",
          "capture-deep-nesting-unknown-field.txt",
          "capture-json-array-line.txt",
          "rule-glob-five-stars.txt",
          "rule-endpoint-bidi.txt",
          "frame-bad-magic.txt",
          "frame-length-larger-than-payload.txt",
          "frame-gzip-flag-but-not-gzip.txt");

  /** One file of the corpus. */
  record Probe(
      String name,
      String kind,
      Map<String, String> args,
      Map<String, String> headers,
      byte[] payload) {
    String arg(String key, String defaultValue) {
      return args.getOrDefault(key, defaultValue);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Path directory() throws URISyntaxException {
    return Path.of(HostileCorpusTest.class.getResource("/hostile").toURI());
  }

  static List<Probe> corpus() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(directory())) {
      List<Probe> probes = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
        probes.add(read(f.getFileName().toString(), Files.readAllBytes(f)));
      }
      return probes;
    }
  }

  /** Parses the header lines and the payload (everything after them, minus the final newline). */
  static Probe read(String name, byte[] file) {
    Map<String, String> headers = new LinkedHashMap<>();
    int pos = 0;
    while (pos < file.length && file[pos] == '#') {
      int nl = pos;
      while (nl < file.length && file[nl] != '\n') {
        nl++;
      }
      String line = new String(file, pos, nl - pos, UTF_8);
      int colon = line.indexOf(':');
      if (line.startsWith("# ") && colon > 2) {
        String key = line.substring(2, colon);
        if (Set.of("expect", "reason", "message", "payload").contains(key)) {
          assertFalse(headers.containsKey(key), name + ": '" + key + "' twice");
          headers.put(key, line.substring(colon + 1).trim());
        }
      }
      pos = nl + 1;
    }
    String expect = headers.get("expect");
    assertNotNull(expect, name + " has no '# expect:' line");
    String[] words = expect.split("\\s+");
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 1; i < words.length; i++) {
      int eq = words[i].indexOf('=');
      assertTrue(eq > 0, name + ": expected key=value, got " + words[i]);
      args.put(words[i].substring(0, eq), unescape(words[i].substring(eq + 1)));
    }
    int end = file.length;
    if (end > pos && file[end - 1] == '\n') {
      end--;
    }
    assertTrue(end > pos, name + " has no payload");
    byte[] payload = Arrays.copyOfRange(file, pos, end);
    String encoding = headers.getOrDefault("payload", "text");
    if (encoding.startsWith("hex")) {
      payload = HexFormat.of().parseHex(new String(payload, UTF_8).replaceAll("\\s+", ""));
    } else {
      assertEquals("text", encoding, name);
    }
    return new Probe(name, words[0], args, headers, payload);
  }

  /** Argument values may spell any character as {@code \\uXXXX}. */
  static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      if (s.startsWith("\\u", i) && i + 6 <= s.length()) {
        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        sb.append(s.charAt(i));
      }
    }
    return sb.toString();
  }

  @Test
  void theCorpusHoldsTheProbesOfTheIssueAndOnlyKnownKinds() throws Exception {
    List<Probe> probes = corpus();
    Set<String> names =
        probes.stream().map(Probe::name).collect(Collectors.toCollection(TreeSet::new));
    assertTrue(
        names.containsAll(REQUIRED),
        "missing: " + REQUIRED.stream().filter(n -> !names.contains(n)).toList());
    Set<String> kinds =
        Set.of(
            "capture-accepted",
            "capture-rejected",
            "rule-accepted",
            "rule-rejected",
            "glob-fast",
            "frame-accepted",
            "frame-rejected");
    for (Probe p : probes) {
      assertTrue(kinds.contains(p.kind()), p.name() + ": unknown kind " + p.kind());
      assertTrue(p.payload().length < 16 * 1024, p.name() + ": keep probes small");
    }
  }

  @TestFactory
  Stream<DynamicTest> everyProbeHasTheStatedOutcome() throws Exception {
    return corpus().stream()
        .map(
            p ->
                DynamicTest.dynamicTest(
                    p.name() + " (" + p.kind() + ")",
                    () -> TimeBox.run(p.name(), () -> replay(p))));
  }

  static void replay(Probe p) {
    switch (p.kind()) {
      case "capture-accepted", "capture-rejected" ->
          replayCapture(p, p.kind().endsWith("accepted"));
      case "rule-accepted", "rule-rejected" -> replayRule(p, p.kind().endsWith("accepted"));
      case "glob-fast" -> replayGlob(p);
      case "frame-accepted", "frame-rejected" -> replayFrame(p, p.kind().endsWith("accepted"));
      default -> fail(p.name() + ": unknown kind " + p.kind());
    }
  }

  // ------------------------------------------------------------------------ capture lines

  /**
   * The line goes through every entry point: decodeLine over bytes and as a String, decodeLenient,
   * decodeAll, and a plain and a gzip BatchFrame; all must give the stated outcome.
   */
  static void replayCapture(Probe p, boolean accepted) {
    byte[] line = p.payload();
    for (byte b : line) {
      assertTrue(b != '\n', p.name() + ": a capture probe is one line");
    }
    byte[] doc = Arrays.copyOf(line, line.length + 1);
    doc[line.length] = '\n';
    String text = strictUtf8(line);
    if (accepted) {
      CaptureRecord r = CaptureCodec.decodeLine(line, 0, line.length, 1);
      if (text != null) {
        assertEquals(r, CaptureCodec.decodeLine(text, 1), "String variant");
      }
      List<CaptureRecord> got = new ArrayList<>();
      assertEquals(new DecodeReport(1, 0, null), CaptureCodec.decodeLenient(doc, got::add));
      assertEquals(List.of(r), got);
      assertEquals(List.of(r), CaptureCodec.decodeAll(doc));
      for (boolean gzip : new boolean[] {false, true}) {
        byte[] frame = BatchFrame.encode(5, doc, 0, doc.length, gzip);
        assertEquals(
            List.of(r), CaptureCodec.decodeAll(BatchFrame.decode(frame, DEFAULT_MAX).ndjson()));
      }
      assertEquals(
          r, CaptureCodec.decodeLine(CaptureCodec.encode(r), 1), "an accepted record round-trips");
      JsonNode written = readJson(CaptureCodec.encode(r).getBytes(UTF_8));
      p.args()
          .forEach(
              (field, value) -> {
                JsonNode v = written.get(field);
                assertNotNull(v, p.name() + ": no field " + field + " in " + written);
                assertEquals(value, v.asText(), p.name() + ": field " + field);
              });
      return;
    }
    String field = p.arg("field", null);
    assertNotNull(field, p.name() + ": capture-rejected needs field=<name> or field=none");
    String expectedField = field.equals("none") ? null : field;
    String reason = p.headers().get("reason");

    CaptureFormatException e =
        assertThrows(
            CaptureFormatException.class,
            () -> CaptureCodec.decodeLine(line, 0, line.length, 1),
            p.name());
    checkRejection(p, e, 1, expectedField, reason);
    if (text != null && text.indexOf('\0') < 0 && !text.startsWith("\uFEFF")) {
      checkRejection(
          p,
          assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeLine(text, 1)),
          1,
          expectedField,
          null);
    }
    // after a good line, as line 2 of a document
    byte[] good =
        (CaptureCodec.encode(CaptureRecord.of(1_767_225_600_000L, "/ok", 200, 1, "10.0.0.1"))
                + "\n")
            .getBytes(UTF_8);
    byte[] two = new byte[good.length + doc.length];
    System.arraycopy(good, 0, two, 0, good.length);
    System.arraycopy(doc, 0, two, good.length, doc.length);
    for (byte[] d : List.of(doc, two)) {
      long lineNumber = d == doc ? 1 : 2;
      DecodeReport report = CaptureCodec.decodeLenient(d, r -> {});
      assertEquals(lineNumber - 1, report.accepted(), p.name());
      assertEquals(1, report.rejected(), p.name());
      checkRejection(p, report.firstError(), lineNumber, expectedField, reason);
      checkRejection(
          p,
          assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeAll(d)),
          lineNumber,
          expectedField,
          reason);
      for (boolean gzip : new boolean[] {false, true}) {
        byte[] ndjson =
            BatchFrame.decode(BatchFrame.encode(5, d, 0, d.length, gzip), DEFAULT_MAX).ndjson();
        checkRejection(
            p,
            CaptureCodec.decodeLenient(ndjson, r -> {}).firstError(),
            lineNumber,
            expectedField,
            reason);
      }
    }
  }

  static void checkRejection(
      Probe p, CaptureFormatException e, long line, String field, String reason) {
    assertNotNull(e, p.name());
    assertEquals(line, e.line(), p.name());
    assertEquals(field, e.field(), p.name() + ": " + e.getMessage());
    if (reason != null) {
      assertTrue(
          e.reason().startsWith(reason),
          p.name() + ": reason '" + e.reason() + "' should start with '" + reason + "'");
    }
  }

  // -------------------------------------------------------------------------------- rules

  static ThresholdRule parseRule(Probe p) {
    return RuleCodec.parse(readJson(p.payload()), p.arg("id", "hostile-probe"));
  }

  static void replayRule(Probe p, boolean accepted) {
    if (accepted) {
      ThresholdRule rule = parseRule(p);
      assertEquals(rule, RuleCodec.parse(RuleCodec.toJson(rule), rule.id()), "toJson parses back");
      return;
    }
    String field = p.arg("field", null);
    assertNotNull(field, p.name() + ": rule-rejected needs field=<name>");
    RuleValidationException e =
        assertThrows(RuleValidationException.class, () -> parseRule(p), p.name());
    assertSame(RuleValidationException.class, e.getClass());
    assertEquals(field, e.field(), p.name() + ": " + e.getMessage());
    String reason = p.headers().get("reason");
    if (reason != null) {
      assertTrue(
          e.reason().startsWith(reason),
          p.name() + ": reason '" + e.reason() + "' should start with '" + reason + "'");
    }
  }

  /**
   * The rule parses, and its endpoint glob answers for a long path in far less than a millisecond:
   * the median of several timed batches, after a warm-up, per match.
   */
  static void replayGlob(Probe p) {
    ThresholdRule rule = parseRule(p);
    Glob glob = rule.endpointSelector();
    String path = p.arg("path-char", "a").repeat(Integer.parseInt(p.arg("path-length", "512")));
    boolean matches = Boolean.parseBoolean(p.arg("matches", "false"));
    double maxMicros = Double.parseDouble(p.arg("max-micros", "1000"));

    long cold = System.nanoTime();
    assertEquals(matches, glob.matches(path));
    double coldMicros = (System.nanoTime() - cold) / 1_000.0;
    assertTrue(coldMicros < 100 * maxMicros, "first match took " + coldMicros + " µs");
    for (int i = 0; i < 2_000; i++) { // JIT warm-up
      glob.matches(path);
    }
    int batches = 7;
    int rounds = 200;
    double[] perMatch = new double[batches];
    for (int b = 0; b < batches; b++) {
      long start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        if (glob.matches(path) != matches) {
          fail(p.name() + ": answer changed");
        }
      }
      perMatch[b] = (System.nanoTime() - start) / 1_000.0 / rounds;
    }
    Arrays.sort(perMatch);
    double median = perMatch[batches / 2];
    assertTrue(
        median < maxMicros,
        p.name() + ": one match takes " + median + " µs (limit " + maxMicros + ")");
  }

  // ------------------------------------------------------------------------------- frames

  static void replayFrame(Probe p, boolean accepted) {
    int max = Integer.parseInt(p.arg("max", Integer.toString(DEFAULT_MAX)));
    byte[] frame = p.payload();
    byte[] copy = frame.clone();
    if (accepted) {
      BatchFrame.Decoded d = BatchFrame.decode(frame, max);
      assertArrayEquals(copy, frame);
      assertTrue(d.ndjson().length <= max);
      if (p.args().containsKey("seq")) {
        assertEquals(Long.parseLong(p.arg("seq", null)), d.seq());
      }
      DecodeReport report = CaptureCodec.decodeLenient(d.ndjson(), r -> {});
      assertEquals(Long.parseLong(p.arg("records", "0")), report.accepted(), p.name());
      assertEquals(Long.parseLong(p.arg("rejected", "0")), report.rejected(), p.name());
      return;
    }
    BatchFrame.FrameException e =
        assertThrows(
            BatchFrame.FrameException.class, () -> BatchFrame.decode(frame, max), p.name());
    assertSame(BatchFrame.FrameException.class, e.getClass());
    assertArrayEquals(copy, frame);
    String message = p.headers().get("message");
    if (message != null) {
      assertTrue(
          e.getMessage().startsWith(message),
          p.name() + ": message '" + e.getMessage() + "' should start with '" + message + "'");
    }
  }

  // ------------------------------------------------------------------------------ helpers

  static JsonNode readJson(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + e.getMessage(), e);
    }
  }

  static String strictUtf8(byte[] b) {
    try {
      return UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
