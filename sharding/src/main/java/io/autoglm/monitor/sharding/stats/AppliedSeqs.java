package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.protocols.capture.CaptureBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The bookkeeping of exactly-once: per agent source ({@code agentId#epoch}) the highest batch seq
 * an entity applied, kept bounded. The bounds are applied while events replay, so they are
 * constants of each entity type, not configuration.
 */
public final class AppliedSeqs {
  private AppliedSeqs() {}

  /**
   * Whether a batch under a node-issued key is too old to tell whether it was applied: its epoch is
   * below every remembered one while {@code serverKeys} of them are remembered.
   */
  public static boolean forgotten(
      Map<String, Long> seqs, String agentId, long epoch, int serverKeys) {
    if (!CaptureBatch.isServerKey(agentId)) {
      return false;
    }
    int remembered = 0;
    long oldest = Long.MAX_VALUE;
    for (String source : seqs.keySet()) {
      if (issued(source)) {
        remembered++;
        oldest = Math.min(oldest, epochOf(source));
      }
    }
    return remembered >= serverKeys && epoch < oldest;
  }

  /**
   * Drops all but the {@link EndpointStatsState#EPOCHS_PER_AGENT} highest epochs of each agent, and
   * all but the {@code serverKeys} highest epochs of node-issued keys.
   */
  public static Map<String, Long> keepNewest(Map<String, Long> seqs, int serverKeys) {
    Map<String, TreeSet<Long>> epochsByAgent = new HashMap<>();
    List<String> issuedKeys = new ArrayList<>();
    for (String source : seqs.keySet()) {
      if (issued(source)) {
        issuedKeys.add(source);
      } else {
        epochsByAgent.computeIfAbsent(agentOf(source), a -> new TreeSet<>()).add(epochOf(source));
      }
    }
    Map<String, Long> kept = new HashMap<>(seqs);
    epochsByAgent.forEach(
        (agent, epochs) -> {
          while (epochs.size() > EndpointStatsState.EPOCHS_PER_AGENT) {
            kept.remove(BatchPart.sourceKey(agent, epochs.pollFirst()));
          }
        });
    if (issuedKeys.size() > serverKeys) {
      issuedKeys.sort(Comparator.comparingLong(AppliedSeqs::epochOf));
      issuedKeys.subList(0, issuedKeys.size() - serverKeys).forEach(kept::remove);
    }
    return kept;
  }

  /** {@code current} with {@code applied} merged in (the higher seq wins), then bounded. */
  public static Map<String, Long> merged(
      Map<String, Long> current, Map<String, Long> applied, int serverKeys) {
    if (applied == null || applied.isEmpty()) {
      return current;
    }
    Map<String, Long> next = new HashMap<>(current);
    applied.forEach((source, seq) -> next.merge(source, seq, Math::max));
    return Map.copyOf(keepNewest(next, serverKeys));
  }

  private static String agentOf(String source) {
    return source.substring(0, source.lastIndexOf('#'));
  }

  private static long epochOf(String source) {
    return Long.parseLong(source, source.lastIndexOf('#') + 1, source.length(), 10);
  }

  /**
   * Whether {@code source} ({@code agentId#epoch}) is under a node-issued key. A key in the map was
   * checked when its batch came, and no agent's own id starts with {@link
   * CaptureBatch#SERVER_KEY_PREFIX}: the prefix says it (this runs over up to a thousand keys at
   * every ingest of an endpoint that plain HTTP posts reach).
   */
  private static boolean issued(String source) {
    return source.startsWith(CaptureBatch.SERVER_KEY_PREFIX);
  }
}
