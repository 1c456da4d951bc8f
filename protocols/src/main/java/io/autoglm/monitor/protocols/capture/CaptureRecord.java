package io.autoglm.monitor.protocols.capture;

import static io.autoglm.monitor.protocols.capture.CaptureRules.*;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.autoglm.monitor.protocols.CborSerializable;

/**
 * One captured LLM API request: a line of capture schema v1 (see {@link CaptureCodec} for the wire
 * format, whose snake_case names the validation errors use).
 *
 * <p><b>Absent optional fields.</b> The record keeps primitives so that millions of them stay
 * cheap, and marks absence with sentinels:
 *
 * <ul>
 *   <li>{@code bytesIn}, {@code bytesOut}, {@code promptTokens}, {@code completionTokens}: {@link
 *       #ABSENT} ({@code -1}); present values are {@code >= 0}. Test with {@link #hasBytesIn()}
 *       etc.
 *   <li>{@code ttftMs}: {@code NaN}; a present value is finite and {@code >= 0}. Test with {@link
 *       #hasTtft()}. (Record equality treats {@code NaN} as equal to itself.)
 *   <li>{@code model}, {@code service}, {@code apiKeyId}, {@code tenant}, {@code traceId}, {@code
 *       host}: {@code null}. An empty string is taken as absent and stored as {@code null}.
 *   <li>{@code method}: never absent; {@code null} or {@code ""} becomes {@code "POST"}.
 * </ul>
 *
 * <p><b>Validation.</b> The constructor enforces every rule of the schema and throws a {@link
 * CaptureFieldException} (an {@link IllegalArgumentException}) naming the first bad field in schema
 * order: {@code ts} in [2000-01-01, 2100-01-01) epoch millis; {@code endpoint} starts with '/',
 * 1..512 chars, no whitespace, control or format (Unicode Cf) characters; {@code method} 1..16
 * uppercase letters; {@code status} 100..599; {@code latencyMs} and {@code ttftMs} from 0 to 1 day;
 * {@code srcIp} an IPv4 or IPv6 literal (IPv6 is stored in RFC 5952 canonical form, see {@link
 * IpAddresses}); tokens 0..10 M and bytes 0..1 TB per request, or absent; {@code model} at most 128
 * chars; {@code service} 1..64 chars of {@code [A-Za-z0-9._-]}; identifiers at most 256 chars; no
 * string holds an unpaired UTF-16 surrogate. A constructed record is therefore always encodable (as
 * JSON and as CBOR) and decodes back equal.
 */
public record CaptureRecord(
    long ts,
    String endpoint,
    String method,
    int status,
    double latencyMs,
    String srcIp,
    long bytesIn,
    long bytesOut,
    String model,
    long promptTokens,
    long completionTokens,
    double ttftMs,
    String service,
    String apiKeyId,
    String tenant,
    String traceId,
    String host)
    implements CborSerializable {

  /** The value of an absent optional integer field. */
  public static final long ABSENT = -1L;

  /** The method of a record that does not name one. */
  public static final String DEFAULT_METHOD = "POST";

  public CaptureRecord {
    if (ts < TS_MIN || ts >= TS_MAX) {
      throw invalid("ts", TS, Long.toString(ts));
    }
    if (endpoint == null) {
      throw required("endpoint");
    }
    if (!isValidEndpoint(endpoint)) {
      throw invalid("endpoint", ENDPOINT, quote(endpoint));
    }
    checkUnicode("endpoint", endpoint);
    method = emptyToNull(method);
    if (method == null) {
      method = DEFAULT_METHOD;
    } else if (!isValidMethod(method)) {
      throw invalid("method", METHOD, quote(method));
    }
    if (status < 100 || status > 599) {
      throw invalid("status", STATUS, Integer.toString(status));
    }
    if (!isValidDuration(latencyMs)) {
      throw invalid("latency_ms", DURATION, Double.toString(latencyMs));
    }
    if (srcIp == null) {
      throw required("src_ip");
    }
    String ip = IpAddresses.canonical(srcIp);
    if (ip == null) {
      throw invalid("src_ip", SRC_IP, quote(srcIp));
    }
    srcIp = ip;
    checkCount("bytes_in", bytesIn);
    checkCount("bytes_out", bytesOut);
    model = emptyToNull(model);
    if (model != null && model.length() > MODEL_MAX) {
      throw invalid("model", MODEL, quote(model));
    }
    checkUnicode("model", model);
    checkCount("prompt_tokens", promptTokens);
    checkCount("completion_tokens", completionTokens);
    if (!Double.isNaN(ttftMs) && !isValidDuration(ttftMs)) {
      throw invalid("ttft_ms", DURATION, Double.toString(ttftMs));
    }
    service = emptyToNull(service);
    if (service != null && !isValidService(service)) {
      throw invalid("service", SERVICE, quote(service));
    }
    apiKeyId = checkId("api_key_id", apiKeyId);
    tenant = checkId("tenant", tenant);
    traceId = checkId("trace_id", traceId);
    host = checkId("host", host);
  }

  private static void checkCount(String field, long value) {
    if (value < ABSENT || value > countMax(field)) {
      throw invalid(field, countRule(field) + " (or -1 for absent)", Long.toString(value));
    }
  }

  private static String checkId(String field, String value) {
    String v = emptyToNull(value);
    if (v != null && v.length() > ID_MAX) {
      throw invalid(field, ID, quote(v));
    }
    checkUnicode(field, v);
    return v;
  }

  /** Whether {@code name} is a valid service name: 1..64 of {@code [A-Za-z0-9._-]}. */
  public static boolean isValidServiceName(String name) {
    return isValidService(name);
  }

  /** A record with only the required fields (method POST, every optional field absent). */
  public static CaptureRecord of(
      long ts, String endpoint, int status, double latencyMs, String srcIp) {
    return new CaptureRecord(
        ts,
        endpoint,
        null,
        status,
        latencyMs,
        srcIp,
        ABSENT,
        ABSENT,
        null,
        ABSENT,
        ABSENT,
        Double.NaN,
        null,
        null,
        null,
        null,
        null);
  }

  /** The status class: 1 for 1xx up to 5 for 5xx. */
  public int statusClass() {
    return status / 100;
  }

  /**
   * Whether the request counts as an error for error-rate statistics and alerts: every 5xx, and 429
   * (rate limited: the caller did not get an answer because of the service's capacity). Other 4xx
   * are the client's fault and do not count.
   */
  @JsonIgnore
  public boolean isError() {
    return status >= 500 || status == 429;
  }

  /** promptTokens + completionTokens, counting absent fields as 0. */
  public long totalTokens() {
    return Math.max(0, promptTokens) + Math.max(0, completionTokens);
  }

  public boolean hasBytesIn() {
    return bytesIn != ABSENT;
  }

  public boolean hasBytesOut() {
    return bytesOut != ABSENT;
  }

  public boolean hasPromptTokens() {
    return promptTokens != ABSENT;
  }

  public boolean hasCompletionTokens() {
    return completionTokens != ABSENT;
  }

  public boolean hasTtft() {
    return !Double.isNaN(ttftMs);
  }

  public CaptureRecord withTs(long ts) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withEndpoint(String endpoint) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withMethod(String method) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withStatus(int status) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withLatencyMs(double latencyMs) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withSrcIp(String srcIp) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  /** Request and response body sizes; {@link #ABSENT} for either leaves it absent. */
  public CaptureRecord withBytes(long bytesIn, long bytesOut) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  /** The LLM fields; null / {@link #ABSENT} / NaN leave a field absent. */
  public CaptureRecord withLlm(
      String model, long promptTokens, long completionTokens, double ttftMs) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withService(String service) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withApiKeyId(String apiKeyId) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withTenant(String tenant) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withTraceId(String traceId) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }

  public CaptureRecord withHost(String host) {
    return new CaptureRecord(
        ts,
        endpoint,
        method,
        status,
        latencyMs,
        srcIp,
        bytesIn,
        bytesOut,
        model,
        promptTokens,
        completionTokens,
        ttftMs,
        service,
        apiKeyId,
        tenant,
        traceId,
        host);
  }
}
