package io.autoglm.monitor.protocols.rule;

import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.autoglm.monitor.protocols.TextChecks;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Fuzz test of {@link RuleCodec} and {@link Glob} (issue "Hostile input"). A plain {@code mvn test}
 * runs it on the empty input and the seeds in {@code RuleCodecFuzzTestInputs/fuzz}; {@code mvn
 * verify} also fuzzes it for a few seconds (see protocols/pom.xml). The input's last byte picks the
 * property (an ASCII digit names it: '0' is {@link #ROUND_TRIP}); the rest of the input feeds it:
 *
 * <ol start="0">
 *   <li>{@code parse(toJson(rule)) == rule} for a valid rule built from the input, as a tree, as
 *       JSON text and bytes, and the rule survives the CBOR serializer that persists it;
 *   <li>a valid rule's body with a few fields replaced or removed, or
 *   <li>an arbitrary JSON tree, or
 *   <li>the input itself as JSON text, gives a valid rule (one that toJson, parse and CBOR keep
 *       unchanged) or a {@link RuleValidationException} naming a field, never another exception;
 *   <li>one bad field is named exactly, with the reason its JSON type calls for;
 *   <li>{@link Glob#matches} agrees with a dynamic-programming reference matcher.
 * </ol>
 *
 * A hang fails: the timeout is per input, enforced by JUnit in a plain run and by libFuzzer while
 * fuzzing (where the pom turns JUnit's timeouts off, as they would bound the whole run).
 */
class RuleCodecFuzzTest {
  static final int ROUND_TRIP = 0, CORRUPTED = 1, TREE = 2, TEXT = 3, ONE_FIELD = 4, GLOB = 5;
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final ObjectMapper JSON = Json.mapper();
  static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
  static final long MAX_DURATION_MS = 7L * 24 * 3600 * 1000;
  static final String ID_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

  /** Every known field an error may name (and any unknown field of the body, as unknown). */
  static final Set<String> ERROR_FIELDS =
      Set.of(
          "$",
          "id",
          "metric",
          "op",
          "threshold",
          "for",
          "cooldown",
          "severity",
          "service",
          "endpoint",
          "description",
          "window",
          "scope",
          "ip");

  static final List<String> BODY_KEYS =
      List.of(
          "id",
          "metric",
          "op",
          "threshold",
          "for",
          "cooldown",
          "severity",
          "service",
          "endpoint",
          "description",
          "expression",
          "extra");

  @FuzzTest
  @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void fuzz(FuzzedDataProvider data) throws IOException {
    switch (Math.floorMod(data.consumeByte() - '0', 6)) {
      case ROUND_TRIP -> roundTrip(rule(data, false));
      case CORRUPTED -> { // the edits first: the rule may take the rest of the input
        ObjectNode edits = NODES.objectNode();
        for (int n = data.consumeInt(1, 4), i = 0;
            i < n;
            i++) { // the id less often: it ends the parse at once
          edits.set(
              data.consumeInt(0, 12) == 0
                  ? "id"
                  : data.pickValue(BODY_KEYS.subList(1, BODY_KEYS.size())),
              data.consumeInt(0, 4) == 0 ? MissingNode.getInstance() : value(data, 2));
        }
        String otherId = data.consumeInt(0, 9) == 0 ? pathId(data) : null;
        ThresholdRule rule = rule(data, false);
        ObjectNode body = RuleCodec.toJson(rule);
        edits.properties().forEach(e -> set(body, e.getKey(), e.getValue()));
        checkAnyOutcome(body, otherId == null ? rule.id() : otherId);
      }
      case TREE -> checkAnyOutcome(value(data, 3), pathId(data));
      case TEXT -> {
        String pathId = data.consumeBoolean() ? pathId(data) : "r1"; // a seed ends "\n3": "r1"
        JsonNode body;
        try {
          body = JSON.readTree(data.consumeRemainingAsBytes());
        } catch (IOException notJson) {
          return;
        }
        checkAnyOutcome(body == null ? MissingNode.getInstance() : body, pathId);
      }
      case ONE_FIELD -> {
        String key = data.pickValue(BODY_KEYS);
        JsonNode value = data.consumeInt(0, 4) == 0 ? MissingNode.getInstance() : value(data, 2);
        oneBadField(rule(data, true), key, value);
      }
      default -> glob(data);
    }
  }

  // ======================================================================= valid rules

  /**
   * A valid endpoint rule: any metric endpoints keep, comparison, threshold, durations up to 7 days
   * and visible Unicode text; {@code fraction}: a threshold up to 1, so that any other metric keeps
   * the rule valid.
   */
  static ThresholdRule rule(FuzzedDataProvider data, boolean fraction) {
    String id = chars(data, data.consumeInt(1, 64), ID_CHARS);
    Metric metric = data.pickValue(Metric.values());
    double max = fraction || metric.isRate() ? 1.0 : Double.MAX_VALUE;
    double threshold =
        switch (data.consumeInt(0, 2)) {
          case 0 -> data.consumeLong(0, (long) (Math.min(max, 100_000) * 10_000)) / 10_000.0;
          case 1 -> Double.longBitsToDouble(data.consumeLong(0, Double.doubleToLongBits(max)));
          default -> data.pickValue(new double[] {0.0, -0.0, Double.MIN_VALUE, max, 0.05, 1.0 / 3});
        };
    String service =
        data.consumeInt(0, 3) == 0
            ? data.pickValue(new String[] {"*", "chat-api", "edge-*", "?", "*-prod"})
            : text(data, 512, false);
    String endpoint =
        data.consumeInt(0, 3) == 0
            ? data.pickValue(
                new String[] {"*", "/v1/chat/*", "*a*a*a*a*a*b", "/v1/?mbeddings", "/"})
            : (data.consumeBoolean() ? "/" : "*") + text(data, 511, false);
    return new ThresholdRule(
        id,
        metric,
        data.pickValue(Comparison.values()),
        threshold,
        duration(data),
        duration(data),
        data.pickValue(Severity.values()),
        Glob.of(service.isBlank() ? "*" : service),
        Glob.of(endpoint),
        text(data, 512, true));
  }

  static String chars(FuzzedDataProvider data, int n, String alphabet) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(data.consumeInt(0, alphabet.length() - 1)));
    }
    return sb.toString();
  }

  /**
   * Up to {@code max} chars (often just a few, so that one field leaves input for the next) of
   * visible code points (what rule text may hold), maybe line breaks.
   */
  static String text(FuzzedDataProvider data, int max, boolean lineBreaks) {
    StringBuilder sb = new StringBuilder();
    for (int n = data.consumeInt(0, data.consumeBoolean() ? 8 : max);
        sb.length() < n && data.remainingBytes() > 0; ) {
      int c =
          switch (data.consumeInt(0, 4)) {
            case 0 -> data.consumeInt(0x21, 0x7e);
            case 1 ->
                data.pickValue(
                    new int[] {
                      '*', '?', '/', '"', '\\', ' ', 0xa0, 0x2028, 0x3000, 'é', 0x6a21, 0x1f600,
                      0x10ffff, 0xfffd
                    });
            case 2 -> lineBreaks ? data.pickValue(new int[] {'\n', '\r', '\t'}) : 'x';
            case 3 -> data.consumeInt(0x80, 0xffff);
            default -> data.consumeInt(0x10000, 0x10ffff);
          };
      int type = Character.getType(c);
      c =
          c > 0x20
                  && (type == Character.CONTROL
                      || type == Character.FORMAT
                      || type == Character.SURROGATE)
              ? 'x'
              : c;
      if (sb.length() + Character.charCount(c) > max) {
        break;
      }
      sb.appendCodePoint(c);
    }
    return sb.toString();
  }

  static long duration(FuzzedDataProvider data) {
    long unit = data.pickValue(new long[] {1, 1000, 60_000, 3_600_000});
    return data.consumeLong(0, MAX_DURATION_MS / unit) * unit;
  }

  static void roundTrip(ThresholdRule rule) throws IOException {
    ObjectNode json = RuleCodec.toJson(rule);
    assertEquals(rule, RuleCodec.parse(json, rule.id()));
    assertEquals(rule, RuleCodec.parse(JSON.readTree(JSON.writeValueAsString(json)), rule.id()));
    assertEquals(rule, RuleCodec.parse(JSON.readTree(JSON.writeValueAsBytes(json)), rule.id()));
    assertEquals(rule.expression(), json.get("expression").asText());
    // what the rule book persists (Pekko's jackson-cbor)
    assertEquals(rule, CBOR.readValue(CBOR.writeValueAsBytes(rule), ThresholdRule.class));
    json.remove("id"); // a body without the id is the same rule under the URL's id
    assertEquals(rule, RuleCodec.parse(json, rule.id()));
  }

  // ==================================================================== hostile bodies

  /** Strings a probe sends: valid names, near misses, limits, hidden characters. */
  static final String[] TEXTS = {
    "qps",
    "error_rate",
    "p95_latency_ms",
    "p99_latency_ms",
    "QPS",
    "latency",
    "",
    " ",
    ">",
    ">=",
    "<",
    "<=",
    "=>",
    "==",
    "info",
    "warning",
    "critical",
    "Critical",
    "page",
    "30s",
    "500ms",
    "1.5m",
    "2h",
    "1d",
    "7d",
    "8d",
    "168h",
    "169h",
    "604800000ms",
    "604800001ms",
    " 10 s ",
    "-5s",
    "5 parsecs",
    "1e5s",
    "9".repeat(400) + "d",
    "0.0000001ms",
    "\u0661\u0662s",
    "NaN",
    "Infinity",
    "*",
    "/v1/*",
    "*a*a*a*a*a*b",
    "/" + "a".repeat(600),
    "v1",
    "/v1/chat\u202e*",
    "a\u200bb",
    "\ufeff*",
    "x\u0007",
    "line\nbreak",
    "/x\u0000",
    "\u00a0",
    "\u2028",
    "/x\ud800",
    "\udc00*",
    "r1",
    "other",
    "true",
    "5"
  };

  static JsonNode value(FuzzedDataProvider data, int depth) {
    switch (depth == 0 ? 0 : data.consumeInt(0, 7)) {
      case 6 -> {
        ArrayNode a = NODES.arrayNode();
        for (int n = data.consumeInt(0, 3), i = 0; i < n; i++) {
          a.add(value(data, depth - 1));
        }
        return a;
      }
      case 7 -> {
        ObjectNode o = NODES.objectNode();
        for (int n = data.consumeInt(0, 3), i = 0; i < n; i++) {
          o.set(data.pickValue(BODY_KEYS), value(data, depth - 1));
        }
        return o;
      }
      default -> {
        return switch (data.consumeInt(0, 9)) {
          case 0 -> NODES.nullNode();
          case 1 -> NODES.booleanNode(data.consumeBoolean());
          case 2 -> NODES.numberNode(data.consumeInt());
          case 3 -> NODES.numberNode(data.consumeLong());
          case 4 ->
              NODES.numberNode(
                  new BigInteger(1, data.consumeBytes(170))
                      .multiply(BigInteger.valueOf(data.consumeInt(-1, 1))));
          case 5 ->
              NODES.numberNode(
                  data.consumeBoolean()
                      ? data.consumeDouble()
                      : data.pickValue(
                          new double[] {
                            Double.NaN,
                            Double.POSITIVE_INFINITY,
                            -0.0,
                            0.5,
                            1.0,
                            1.0000001,
                            604800.0,
                            604800.001,
                            Double.MAX_VALUE
                          }));
          case 6 -> NODES.numberNode(data.consumeFloat());
          case 7 ->
              NODES.numberNode(
                  new BigDecimal(
                      data.pickValue(
                          new String[] {"1e400", "-1e400", "1e-400", "0.05", "604800.0005"})));
          case 8 -> NODES.binaryNode(data.consumeBytes(8));
          default ->
              NODES.textNode(
                  data.consumeBoolean() ? data.pickValue(TEXTS) : data.consumeString(40));
        };
      }
    }
  }

  static String pathId(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 9)) {
      case 8 -> data.consumeString(70);
      case 9 -> data.pickValue(new String[] {"", "a b", "x".repeat(65), "r1\u202e", "../x"});
      default -> chars(data, data.consumeInt(1, 64), ID_CHARS);
    };
  }

  /** Sets a field, or removes it for a MissingNode. */
  static void set(ObjectNode body, String key, JsonNode value) {
    if (value.isMissingNode()) {
      body.remove(key);
    } else {
      body.set(key, value);
    }
  }

  static Object parse(JsonNode body, String pathId) {
    try {
      return RuleCodec.parse(body, pathId);
    } catch (RuleValidationException e) {
      return e;
    } catch (RuntimeException e) {
      throw new AssertionError(
          "parse threw " + e + " (only RuleValidationException is allowed) for " + body, e);
    }
  }

  static void checkAnyOutcome(JsonNode body, String pathId) {
    Object outcome = parse(body, pathId);
    if (outcome instanceof RuleValidationException e) {
      assertSame(RuleValidationException.class, e.getClass());
      assertTrue(
          ERROR_FIELDS.contains(e.field())
              || (body.has(e.field()) && e.reason().startsWith("unknown field")),
          e.field() + ": " + e.reason());
      assertFalse(e.reason().isBlank());
      assertEquals("field '" + e.field() + "': " + e.reason(), e.getMessage());
      if (!body.isObject()) {
        assertEquals("$", e.field());
      } else if (!RuleCodec.ID.matcher(pathId).matches()) {
        assertEquals("id", e.field());
      }
    } else {
      assertAcceptedRuleIsValid((ThresholdRule) outcome, pathId);
    }
  }

  /** Everything RuleCodec promises about a rule it returns. */
  static void assertAcceptedRuleIsValid(ThresholdRule rule, String pathId) {
    assertEquals(pathId, rule.id());
    assertTrue(
        Double.isFinite(rule.threshold()) && rule.threshold() >= 0,
        "threshold " + rule.threshold());
    assertTrue(!rule.metric().isRate() || rule.threshold() <= 1, "a rate is a fraction");
    assertTrue(rule.forMs() >= 0 && rule.forMs() <= MAX_DURATION_MS, "for " + rule.forMs());
    assertTrue(
        rule.cooldownMs() >= 0 && rule.cooldownMs() <= MAX_DURATION_MS,
        "cooldown " + rule.cooldownMs());
    String endpoint = rule.endpointSelector().pattern();
    assertTrue(endpoint.startsWith("/") || endpoint.startsWith("*"), endpoint);
    List<String> texts = List.of(rule.serviceSelector().pattern(), endpoint, rule.description());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      boolean description = i == 2;
      assertTrue(text.length() <= 512 && (description || !text.isBlank()), text);
      assertEquals(-1, TextChecks.indexOfInvisible(text, description), text);
      assertFalse(
          text.codePoints().anyMatch(c -> Character.getType(c) == Character.SURROGATE),
          "an unpaired surrogate (CBOR cannot write it): " + text);
    }
    assertEquals(rule, RuleCodec.parse(RuleCodec.toJson(rule), pathId), "toJson parses back");
    try {
      assertEquals(rule, CBOR.readValue(CBOR.writeValueAsBytes(rule), ThresholdRule.class));
    } catch (IOException e) {
      throw new AssertionError("an accepted rule cannot be persisted: " + e, e);
    }
  }

  /**
   * One field of a valid rule replaced (or removed): named exactly, or accepted as its type allows.
   */
  static void oneBadField(ThresholdRule rule, String key, JsonNode value) {
    ObjectNode body = RuleCodec.toJson(rule);
    set(body, key, value);
    boolean absent = value.isMissingNode() || value.isNull();
    // null: accepted; "?": rejected or accepted, as the value decides; else the reason
    String expectedReason =
        switch (key) {
          case "expression" -> null;
          case "extra" -> // an unknown field is named, whatever its value
              value.isMissingNode()
                  ? null
                  : "unknown field (a typo would otherwise do nothing); see the rule fields in the"
                      + " README";
          case "id" ->
              absent || value.asText().equals(rule.id())
                  ? null
                  : "'" + value.asText() + "' differs from the id in the URL '" + rule.id() + "'";
          case "metric", "op" ->
              absent ? "is required" : value.isTextual() ? "?" : "must be a string";
          case "threshold" -> value.isNumber() ? "?" : "is required and must be a number";
          case "for", "cooldown" ->
              absent
                  ? null
                  : value.isTextual() || value.isNumber()
                      ? "?"
                      : "must be a duration string like '30s' or a number of seconds";
          default ->
              absent
                  ? null
                  : value.isTextual()
                      ? "?"
                      : "must be a string"; // severity, selectors, description
        };
    Object outcome = parse(body, rule.id());
    if (outcome instanceof RuleValidationException e) {
      assertEquals(key, e.field(), e.getMessage());
      assertNotNull(expectedReason, "rejected a body that must be accepted: " + e.getMessage());
      if (!expectedReason.equals("?")) {
        assertEquals(expectedReason, e.reason());
      }
    } else {
      assertTrue(
          expectedReason == null || expectedReason.equals("?"),
          "accepted a body that must be refused for: " + expectedReason);
      ThresholdRule got = (ThresholdRule) outcome;
      assertAcceptedRuleIsValid(got, rule.id());
      if (expectedReason == null) { // the field was absent or ignored: the defaults
        String k = absent ? key : "";
        assertEquals(
            new ThresholdRule(
                rule.id(),
                rule.metric(),
                rule.comparison(),
                rule.threshold(),
                k.equals("for") ? 0 : rule.forMs(),
                k.equals("cooldown") ? 0 : rule.cooldownMs(),
                k.equals("severity") ? Severity.WARNING : rule.severity(),
                k.equals("service") ? Glob.ANY : rule.serviceSelector(),
                k.equals("endpoint") ? Glob.ANY : rule.endpointSelector(),
                k.equals("description") ? "" : rule.description()),
            got);
      }
    }
  }

  // ============================================================================= globs

  /**
   * A pattern of '*', '?' and a few characters (outside the BMP too: '?' is one code point) and a
   * value: any string of the value alphabet, or the pattern with its wildcards filled in.
   */
  static void glob(FuzzedDataProvider data) {
    boolean unicode = data.consumeBoolean();
    int[] patternAlphabet =
        unicode ? new int[] {'*', '?', 'a', 'é', 0x1f600} : new int[] {'*', '?', 'a', '/'};
    int[] valueAlphabet = unicode ? new int[] {'a', 'é', 0x1f600, 'b'} : new int[] {'a', '/', 'b'};
    String pattern = codePoints(data, patternAlphabet, 64);
    String value;
    if (data.consumeBoolean()) {
      value = codePoints(data, valueAlphabet, 512);
    } else {
      StringBuilder sb = new StringBuilder();
      for (int c : pattern.codePoints().toArray()) {
        for (int k = c == '*' ? data.consumeInt(0, 20) : 1; k > 0; k--) {
          sb.appendCodePoint(c == '*' || c == '?' ? data.pickValue(valueAlphabet) : c);
        }
      }
      value = sb.toString();
    }
    Glob glob = Glob.of(pattern);
    assertEquals(
        referenceMatch(pattern.codePoints().toArray(), value.codePoints().toArray()),
        glob.matches(value),
        "'" + pattern + "' vs '" + value + "'");
    assertEquals(pattern, glob.pattern());
  }

  static String codePoints(FuzzedDataProvider data, int[] alphabet, int maxChars) {
    StringBuilder sb = new StringBuilder();
    for (int n = data.consumeInt(0, maxChars); sb.length() < n && data.remainingBytes() > 0; ) {
      int c = data.pickValue(alphabet);
      if (sb.length() + Character.charCount(c) > maxChars) {
        break;
      }
      sb.appendCodePoint(c);
    }
    return sb.toString();
  }

  /** Textbook dynamic programming: m[i][j] = pattern[0, i) matches value[0, j). */
  static boolean referenceMatch(int[] p, int[] v) {
    boolean[] prev = new boolean[v.length + 1];
    prev[0] = true;
    for (int i = 1; i <= p.length; i++) {
      boolean[] cur = new boolean[v.length + 1];
      int c = p[i - 1];
      cur[0] = prev[0] && c == '*';
      for (int j = 1; j <= v.length; j++) {
        cur[j] = c == '*' ? prev[j] || cur[j - 1] : prev[j - 1] && (c == '?' || c == v[j - 1]);
      }
      prev = cur;
    }
    return prev[v.length];
  }
}
