package io.autoglm.monitor.protocols.capture;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per rule: a field set to a raw JSON value (or removed), and what the decoder says. */
class CaptureValidationTest {

  private static final Map<String, String> BASE = new LinkedHashMap<>();

  static {
    BASE.put("ts", "1767225600000");
    BASE.put("endpoint", "\"/v1/chat/completions\"");
    BASE.put("status", "200");
    BASE.put("latency_ms", "812.5");
    BASE.put("src_ip", "\"100.64.0.1\"");
  }

  static final String REMOVE = "<remove>";

  static String line(String field, String rawValue) {
    Map<String, String> m = new LinkedHashMap<>(BASE);
    if (rawValue.equals(REMOVE)) {
      m.remove(field);
    } else {
      m.put(field, rawValue);
    }
    StringBuilder sb = new StringBuilder("{");
    m.forEach(
        (k, v) ->
            sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
    return sb.append('}').toString();
  }

  static String str(String s) {
    return "\"" + s + "\"";
  }

  /** field, raw JSON value, expected reason prefix. */
  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of("ts", REMOVE, "is required"),
        Arguments.of("ts", "null", "is required"),
        Arguments.of("ts", "\"1767225600000\"", "must be an integer epoch-millisecond timestamp"),
        Arguments.of("ts", "1.7672256E12", "must be an integer epoch-millisecond"),
        Arguments.of("ts", "946684799999", "must be an integer epoch-millisecond"),
        Arguments.of("ts", "4102444800000", "must be an integer epoch-millisecond"),
        Arguments.of("ts", "-1", "must be an integer epoch-millisecond"),
        Arguments.of("ts", "99999999999999999999999", "must be an integer epoch-millisecond"),
        Arguments.of("endpoint", REMOVE, "is required"),
        Arguments.of("endpoint", "null", "is required"),
        Arguments.of("endpoint", "17", "must be a string starting with '/'"),
        Arguments.of("endpoint", str(""), "must be a string starting with '/'"),
        Arguments.of("endpoint", str("v1/chat"), "must be a string starting with '/'"),
        Arguments.of("endpoint", str("/v1/a b"), "must be a string starting with '/'"),
        Arguments.of("endpoint", str("/v1/a\\tb"), "must be a string starting with '/'"),
        Arguments.of("endpoint", str("/v1/\\u0001"), "must be a string starting with '/'"),
        Arguments.of("endpoint", str("/v1/\\u00a0x"), "must be a string starting with '/'"),
        Arguments.of("endpoint", str("/" + "a".repeat(512)), "must be a string starting with '/'"),
        Arguments.of("method", str("get"), "must be a string of 1 to 16 uppercase letters"),
        Arguments.of("method", str("POST1"), "must be a string of 1 to 16 uppercase letters"),
        Arguments.of("method", str("A".repeat(17)), "must be a string of 1 to 16 uppercase"),
        Arguments.of("method", "1", "must be a string of 1 to 16 uppercase letters"),
        Arguments.of("status", REMOVE, "is required"),
        Arguments.of("status", "null", "is required"),
        Arguments.of("status", str("abc"), "must be an integer between 100 and 599, got \"abc\""),
        Arguments.of("status", str("200"), "must be an integer between 100 and 599"),
        Arguments.of("status", "99", "must be an integer between 100 and 599, got 99"),
        Arguments.of("status", "600", "must be an integer between 100 and 599, got 600"),
        Arguments.of("status", "200.0", "must be an integer between 100 and 599, got 200.0"),
        Arguments.of("status", "4294967496", "must be an integer between 100 and 599"),
        Arguments.of("status", "true", "must be an integer between 100 and 599, got true"),
        Arguments.of("latency_ms", REMOVE, "is required"),
        Arguments.of("latency_ms", "null", "is required"),
        Arguments.of(
            "latency_ms",
            "-0.5",
            "must be a number of milliseconds from 0 to 86400000 (1 day), got -0.5"),
        Arguments.of(
            "latency_ms", "-3", "must be a number of milliseconds from 0 to 86400000 (1 day)"),
        Arguments.of(
            "latency_ms",
            "1e400",
            "must be a number of milliseconds from 0 to 86400000 (1 day), got Infinity"),
        Arguments.of(
            "latency_ms",
            str("5"),
            "must be a number of milliseconds from 0 to 86400000 (1 day), got \"5\""),
        Arguments.of(
            "latency_ms",
            "[5]",
            "must be a number of milliseconds from 0 to 86400000 (1 day), got an array"),
        Arguments.of("src_ip", REMOVE, "is required"),
        Arguments.of("src_ip", "null", "is required"),
        Arguments.of("src_ip", "1684275201", "must be a string holding an IPv4 or IPv6 address"),
        Arguments.of("src_ip", str("example.com"), "must be a string holding an IPv4 or IPv6"),
        Arguments.of("src_ip", str("localhost"), "must be a string holding an IPv4 or IPv6"),
        Arguments.of("src_ip", str("256.1.1.1"), "must be a string holding an IPv4 or IPv6"),
        Arguments.of("src_ip", str("1.2.3"), "must be a string holding an IPv4 or IPv6"),
        Arguments.of("src_ip", str("01.2.3.4"), "must be a string holding an IPv4 or IPv6"),
        Arguments.of("src_ip", str("1:2:3:4:5:6:7:8:9"), "must be a string holding an IPv4"),
        Arguments.of("src_ip", str("fe80::1%eth0"), "must be a string holding an IPv4 or IPv6"),
        Arguments.of("src_ip", str(""), "must be a string holding an IPv4 or IPv6"),
        Arguments.of("bytes_in", "-1", "must be an integer from 0 to 1000000000000 (1 TB), got -1"),
        Arguments.of(
            "bytes_in", "1.5", "must be an integer from 0 to 1000000000000 (1 TB), got 1.5"),
        Arguments.of(
            "bytes_in", str("10"), "must be an integer from 0 to 1000000000000 (1 TB), got \"10\""),
        Arguments.of(
            "bytes_out", "-7", "must be an integer from 0 to 1000000000000 (1 TB), got -7"),
        Arguments.of(
            "bytes_out", "{}", "must be an integer from 0 to 1000000000000 (1 TB), got an object"),
        Arguments.of("prompt_tokens", "-2", "must be an integer from 0 to 10000000 (10 M tokens)"),
        Arguments.of(
            "prompt_tokens",
            "false",
            "must be an integer from 0 to 10000000 (10 M tokens), got false"),
        Arguments.of(
            "completion_tokens", "-2", "must be an integer from 0 to 10000000 (10 M tokens)"),
        Arguments.of(
            "completion_tokens", "3.0", "must be an integer from 0 to 10000000 (10 M tokens)"),
        Arguments.of(
            "ttft_ms", "-0.1", "must be a number of milliseconds from 0 to 86400000 (1 day)"),
        Arguments.of(
            "ttft_ms",
            str("fast"),
            "must be a number of milliseconds from 0 to 86400000 (1 day), got \"fast\""),
        // per-request maxima: sums of them cannot overflow
        Arguments.of(
            "latency_ms",
            "1e308",
            "must be a number of milliseconds from 0 to 86400000 (1 day), got 1.0E308"),
        Arguments.of(
            "latency_ms",
            "86400000.5",
            "must be a number of milliseconds from 0 to 86400000 (1 day)"),
        Arguments.of(
            "ttft_ms", "1e20", "must be a number of milliseconds from 0 to 86400000 (1 day)"),
        Arguments.of(
            "completion_tokens",
            "9223372036854775807",
            "must be an integer from 0 to 10000000 (10 M tokens), got 9223372036854775807"),
        Arguments.of("prompt_tokens", "10000001", "must be an integer from 0 to 10000000"),
        Arguments.of("bytes_out", "1000000000001", "must be an integer from 0 to 1000000000000"),
        // invisible formatting characters: a lookalike of another endpoint's name
        Arguments.of(
            "endpoint", str("/v1/chat\\u202esnoitelpmoc"), "must be a string starting with '/'"),
        Arguments.of(
            "endpoint", str("/v1/chat\\u200b/completions"), "must be a string starting with '/'"),
        Arguments.of("endpoint", str("/\\ufeffv1/generate"), "must be a string starting with '/'"),
        Arguments.of("endpoint", str("/v1/\\u2066x\\u2069"), "must be a string starting with '/'"),
        Arguments.of(
            "endpoint", str("/v1/tag\\udb40\\udc41"), "must be a string starting with '/'"),
        Arguments.of("service", str("chat\\u200b"), "must be a string of 1 to 64 characters"),
        Arguments.of("model", "7", "must be a string of at most 128 characters, got 7"),
        Arguments.of("model", str("m".repeat(129)), "must be a string of at most 128 characters"),
        Arguments.of("service", str("my service"), "must be a string of 1 to 64 characters"),
        Arguments.of("service", str("s".repeat(65)), "must be a string of 1 to 64 characters"),
        Arguments.of("service", str("café"), "must be a string of 1 to 64 characters"),
        Arguments.of("api_key_id", str("k".repeat(257)), "must be a string of at most 256"),
        Arguments.of("api_key_id", "12", "must be a string of at most 256 characters"),
        Arguments.of("tenant", str("t".repeat(257)), "must be a string of at most 256"),
        Arguments.of(
            "trace_id", "{\"id\":1}", "must be a string of at most 256 characters, got an object"),
        Arguments.of("host", str("h".repeat(257)), "must be a string of at most 256"),
        // JSON escapes can smuggle in half a character, which CBOR cannot carry
        Arguments.of(
            "model",
            str("glm\\ud800"),
            "must be valid Unicode text (no unpaired"
                + " surrogates), got an unpaired surrogate at index 3"),
        Arguments.of("endpoint", str("/v1/\\udc00x"), "must be valid Unicode text"),
        Arguments.of("tenant", str("\\ude00\\ud83d"), "must be valid Unicode text"),
        Arguments.of("trace_id", str("a\\ud83d"), "must be valid Unicode text"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("rejected")
  void rejectsTheLineNamingTheField(String field, String raw, String reasonPrefix) {
    String line = line(field, raw);
    CaptureFormatException e =
        assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeLine(line, 12), line);
    assertEquals(field, e.field(), e.getMessage());
    assertEquals(12, e.line());
    assertTrue(e.reason().startsWith(reasonPrefix), e.getMessage());
    assertEquals("line 12: field '" + field + "': " + e.reason(), e.getMessage());
  }

  /** field, raw JSON value: accepted edge values. */
  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("ts", "946684800000"),
        Arguments.of("ts", "4102444799999"),
        Arguments.of("endpoint", str("/")),
        Arguments.of("endpoint", str("/" + "a".repeat(511))),
        Arguments.of("endpoint", str("/v1/models?limit=5&q=%20")),
        Arguments.of("endpoint", str("/v1/模型")),
        Arguments.of("method", str("GET")),
        Arguments.of("method", str("A".repeat(16))),
        Arguments.of("status", "100"),
        Arguments.of("status", "599"),
        Arguments.of("latency_ms", "0"),
        Arguments.of("latency_ms", "7"),
        Arguments.of("latency_ms", "1.5e3"),
        Arguments.of("src_ip", str("0.0.0.0")),
        Arguments.of("src_ip", str("255.255.255.255")),
        Arguments.of("src_ip", str("::")),
        Arguments.of("src_ip", str("2001:db8::1")),
        Arguments.of("src_ip", str("::ffff:192.0.2.1")),
        Arguments.of("bytes_in", "0"),
        Arguments.of("bytes_out", "1000000000000"),
        Arguments.of("completion_tokens", "10000000"),
        Arguments.of("latency_ms", "86400000"),
        Arguments.of("ttft_ms", "86400000"),
        Arguments.of("endpoint", str("/v1/caf\\u00e9/\\ud83d\\ude00")),
        Arguments.of("ttft_ms", "0"),
        Arguments.of("model", str("m".repeat(128))),
        Arguments.of("service", str("chat-api_v1.2")),
        Arguments.of("service", str("s".repeat(64))),
        Arguments.of("api_key_id", str("k".repeat(256))),
        Arguments.of("tenant", str("租户")),
        Arguments.of("model", str("glm-😀")),
        Arguments.of("model", str("glm-\\ud83d\\ude00")),
        Arguments.of("host", str("gw-01.example.com")));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("accepted")
  void acceptsEdgeValues(String field, String raw) {
    assertDoesNotThrow(() -> CaptureCodec.decodeLine(line(field, raw), 1));
  }
}
