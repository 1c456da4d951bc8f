package io.autoglm.monitor.protocols.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.autoglm.monitor.protocols.json.Json;
import java.io.UncheckedIOException;

/**
 * What a node answers on the agent stream ({@code /api/v1/ingest/stream}): one JSON text message
 * each, {@code {"type":"ack",...}} or {@code {"type":"error",...}}. Both sides use this record, the
 * node to write and the agent to read, through the shared {@link Json} mapper: neither depends on
 * the order of the keys, and fields a newer node adds are ignored by an older agent.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = StreamReply.Ack.class, name = "ack"),
  @JsonSubTypes.Type(value = StreamReply.Error.class, name = "error")
})
public sealed interface StreamReply {
  /** Prepared once: a reply is written per acked batch. */
  ObjectWriter WRITER = Json.writerFor(StreamReply.class);

  ObjectReader READER = Json.readerFor(StreamReply.class);

  /**
   * Every batch up to {@code seq} is persisted (cumulative). The counts cover the batches since the
   * previous ack: counted, behind the watermark, replays already counted, dated too far ahead of
   * the node's clock, and lines that failed validation ({@code firstError} names the first); {@code
   * folded}: of the accepted, those counted under an {@code /(other)} endpoint (past the endpoint
   * cap, see {@link IngestAck#folded}), on the wire only when not 0.
   */
  record Ack(
      long seq,
      long accepted,
      long late,
      long duplicates,
      long future,
      long rejected,
      @JsonInclude(JsonInclude.Include.NON_NULL) String firstError,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long folded)
      implements StreamReply {}

  /** Sent right before the node closes the stream with a close frame of the same reason. */
  record Error(String code, String error) implements StreamReply {}

  default String toJson() {
    try {
      return WRITER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stream reply always serializes", e);
    }
  }

  /** Reads one message. */
  static StreamReply parse(String json) {
    try {
      return READER.readValue(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("not a stream reply: " + e.getOriginalMessage(), e);
    }
  }
}
