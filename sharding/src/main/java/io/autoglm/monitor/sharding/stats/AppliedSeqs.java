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
      if (CaptureBatch.isServerKey(agentOf(source))) {
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
    List<String> issued = new ArrayList<>();
    for (String source : seqs.keySet()) {
      String agent = agentOf(source);
      if (CaptureBatch.isServerKey(agent)) {
        issued.add(source);
      } else {
        epochsByAgent.computeIfAbsent(agent, a -> new TreeSet<>()).add(epochOf(source));
      }
    }
    Map<String, Long> kept = new HashMap<>(seqs);
    epochsByAgent.forEach(
        (agent, epochs) -> {
          while (epochs.size() > EndpointStatsState.EPOCHS_PER_AGENT) {
            kept.remove(BatchPart.sourceKey(agent, epochs.pollFirst()));
          }
        });
    if (issued.size() > serverKeys) {
      issued.sort(Comparator.comparingLong(AppliedSeqs::epochOf));
      issued.subList(0, issued.size() - serverKeys).forEach(kept::remove);
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
    return Long.parseLong(source.substring(source.lastIndexOf('#') + 1));
  }
}
