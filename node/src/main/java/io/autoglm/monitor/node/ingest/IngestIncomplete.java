package io.autoglm.monitor.node.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The answer (503) of {@code POST /api/v1/ingest} when some endpoints did not confirm persisting
 * their records in time: which records are counted, which may or may not be, and the headers under
 * which the same body can be sent again without counting anything twice.
 *
 * @param retry how to send again, in words
 */
public record IngestIncomplete(
    String error, Counted counted, Unconfirmed unconfirmed, String retry, RetryWith retryWith) {

  /**
   * What the endpoints that confirmed counted (as in {@link
   * io.autoglm.monitor.protocols.wire.IngestAck}).
   *
   * @param expired only on the wire when not 0
   * @param endpoints the endpoints that confirmed
   */
  public record Counted(
      long accepted,
      long late,
      long duplicates,
      long future,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long expired,
      List<String> endpoints) {}

  /**
   * The records that may or may not be counted.
   *
   * @param reason why the first of those endpoints did not confirm
   */
  public record Unconfirmed(long records, List<String> endpoints, String reason) {}

  /** The batch key to send the same body again under, as header values. */
  public record RetryWith(
      @JsonProperty("X-Agent-Id") String agentId,
      @JsonProperty("X-Agent-Epoch") String epoch,
      @JsonProperty("X-Agent-Seq") String seq) {}
}
