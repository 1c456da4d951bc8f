package io.autoglm.monitor.protocols.capture;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/**
 * The envelope of one agent batch, the unit of exactly-once ingest: an agent numbers its batches
 * with {@code seq} within an {@code epoch} (a new epoch when the agent loses its replay buffer,
 * e.g. after a restart), and the cluster drops any batch at or below the highest {@code (epoch,
 * seq)} it has applied for that agent.
 *
 * @param agentId 1..128 characters of {@code [A-Za-z0-9._:-]}
 * @param epoch {@code >= 0}
 * @param seq {@code >= 0}
 * @param records the records, copied into an unmodifiable list (no null elements)
 */
public record CaptureBatch(String agentId, long epoch, long seq, List<CaptureRecord> records)
    implements CborSerializable {

  public static final int MAX_AGENT_ID_LENGTH = 128;

  public CaptureBatch {
    if (agentId == null || agentId.isBlank()) {
      throw new CaptureFieldException("agentId", "is required");
    }
    if (!isValidAgentId(agentId)) {
      throw new CaptureFieldException(
          "agentId",
          "must be 1 to 128 characters from [A-Za-z0-9._:-], got " + CaptureRules.quote(agentId));
    }
    if (epoch < 0) {
      throw new CaptureFieldException("epoch", "must be >= 0, got " + epoch);
    }
    if (seq < 0) {
      throw new CaptureFieldException("seq", "must be >= 0, got " + seq);
    }
    if (records == null) {
      throw new CaptureFieldException("records", "is required");
    }
    for (CaptureRecord r : records) {
      if (r == null) {
        throw new CaptureFieldException("records", "must not contain null");
      }
    }
    records = List.copyOf(records);
  }

  /** Whether {@code id} is a valid {@link #agentId()}. */
  public static boolean isValidAgentId(String id) {
    return CaptureRules.isToken(id, MAX_AGENT_ID_LENGTH, "._:-");
  }

  /**
   * Marks the identities a node hands out to HTTP ingest requests sent without one ({@code ~} is
   * not allowed in an agent's own id, so the two never collide).
   */
  public static final String SERVER_KEY_PREFIX = "~";

  /** Whether {@code id} is an identity handed out by a node: {@code ~} and an agent id. */
  public static boolean isServerKey(String id) {
    return id != null && id.startsWith(SERVER_KEY_PREFIX) && isValidAgentId(id.substring(1));
  }

  public int size() {
    return records.size();
  }
}
