package io.autoglm.monitor.agent.tail;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.json.Json;
import java.util.Locale;

/**
 * Turns one gateway access-log line (JSON) into a capture record. The field names are the ones the
 * documented {@code log_format} (nginx) and {@code json_format} (Envoy) write; see README "Tailing
 * gateway logs".
 */
public enum AccessLogFormat {
  /** nginx with the {@code autoglm} JSON log_format: msec, uri, request_time in seconds. */
  NGINX,
  /** Envoy JSON access log: start_time in seconds, path with query, duration in ms. */
  ENVOY,
  /** Lines that already are capture records. */
  CAPTURE;

  public static AccessLogFormat fromName(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown log format '" + name + "', expected nginx, envoy or capture");
    }
  }

  /**
   * The capture record of {@code line}, or an exception whose message names the field.
   *
   * @param service service of the records (null: none)
   */
  public CaptureRecord parse(String line, String service) {
    if (this == CAPTURE) {
      CaptureRecord r = io.autoglm.monitor.protocols.capture.CaptureCodec.decodeLine(line, 0);
      return r.service() == null && service != null ? r.withService(service) : r;
    }
    JsonNode j;
    try {
      j = Json.mapper().readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (j == null || !j.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    long ts;
    String path;
    double latencyMs;
    if (this == NGINX) {
      ts = Math.round(number(j, "ts_msec") * 1000);
      path = text(j, "endpoint");
      latencyMs = number(j, "request_time") * 1000;
    } else {
      ts = Math.round(number(j, "start_time") * 1000);
      path = text(j, "path");
      latencyMs = number(j, "duration_ms");
    }
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    CaptureRecord r =
        CaptureRecord.of(ts, path, (int) number(j, "status"), latencyMs, text(j, "remote_addr"))
            .withMethod(optionalText(j, "method"))
            .withBytes(optionalLong(j, "bytes_in"), optionalLong(j, "bytes_out"))
            .withLlm(
                optionalText(j, "model"),
                optionalLong(j, "prompt_tokens"),
                optionalLong(j, "completion_tokens"),
                Double.NaN)
            .withHost(optionalText(j, "host"))
            .withTraceId(optionalText(j, "request_id"));
    return service == null ? r : r.withService(service);
  }

  private static double number(JsonNode j, String field) {
    JsonNode n = j.get(field);
    if (n == null || n.isNull()) {
      throw new IllegalArgumentException("field '" + field + "' is missing");
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    try {
      return Double.parseDouble(n.asText().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "field '" + field + "' is not a number: '" + n.asText() + "'");
    }
  }

  private static String text(JsonNode j, String field) {
    String s = optionalText(j, field);
    if (s == null) {
      throw new IllegalArgumentException("field '" + field + "' is missing");
    }
    return s;
  }

  private static String optionalText(JsonNode j, String field) {
    JsonNode n = j.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    String s = n.asText();
    return s.isEmpty() || s.equals("-") ? null : s;
  }

  /** A count, or {@link CaptureRecord#ABSENT} when missing, empty or "-". */
  private static long optionalLong(JsonNode j, String field) {
    String s = optionalText(j, field);
    if (s == null) {
      return CaptureRecord.ABSENT;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return CaptureRecord.ABSENT;
    }
  }
}
