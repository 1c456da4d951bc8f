package io.autoglm.monitor.protocols.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON {@link ObjectMapper} of the project: every HTTP request and answer body, the agent
 * stream's replies, webhook payloads and the agent's state file go through it. (Pekko's CBOR
 * serialization of persisted and cluster messages is configured by Pekko, not here; the capture
 * NDJSON codec has its own streaming parser.) The policy, set here and nowhere else:
 *
 * <ul>
 *   <li><b>Keys</b> are the record component names as written ({@code newestEvent}, {@code
 *       latencyMs}): no naming strategy. A key that is not a Java name ({@code 1xx}, {@code for},
 *       {@code X-Agent-Id}) is set with {@code @JsonProperty} on its component.
 *   <li><b>Nulls</b> are written: a component the record has is always on the wire, {@code null}
 *       when it has no value (an open alert's {@code endsAt}, a quantile of an empty window). A
 *       component that is left out when empty says so with {@code @JsonInclude} on itself.
 *   <li><b>Times</b> are {@link java.time.Instant}s written as ISO-8601 text in UTC ({@code
 *       2026-01-01T00:00:40Z}), never as numbers.
 *   <li><b>Unknown keys</b> are ignored when reading, so a reader keeps working when the other side
 *       (a newer node, a newer agent) adds a field. Request bodies that must be strict are
 *       validated field by field by their codecs ({@code RuleCodec}, {@code CaptureCodec}), not by
 *       binding.
 * </ul>
 *
 * <p>The mapper, its readers and writers are thread-safe. Do not reconfigure {@link #mapper()}: it
 * is shared by everyone; derive a reader or writer instead. Where a body is written often (the
 * ingest answer, once per request), keep a prepared {@link #writerFor(Class)}.
 */
public final class Json {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .serializationInclusion(JsonInclude.Include.ALWAYS)
          .build();

  private static final ObjectWriter WRITER = MAPPER.writer();

  private Json() {}

  /** The shared mapper, e.g. for {@code readTree}. Never reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** A prepared reader of {@code type}. */
  public static ObjectReader readerFor(Class<?> type) {
    return MAPPER.readerFor(type);
  }

  /** A prepared writer of {@code type}: for bodies written on a hot path. */
  public static ObjectWriter writerFor(Class<?> type) {
    return MAPPER.writerFor(type);
  }

  /** {@code body} as JSON text. */
  public static String toJson(Object body) {
    try {
      return WRITER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + body.getClass().getName(), e);
    }
  }

  /** {@code body} as UTF-8 JSON. */
  public static byte[] toBytes(Object body) {
    return toBytes(WRITER, body);
  }

  /** {@code body} as UTF-8 JSON, through a prepared writer. */
  public static byte[] toBytes(ObjectWriter writer, Object body) {
    try {
      return writer.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + body.getClass().getName(), e);
    }
  }
}
