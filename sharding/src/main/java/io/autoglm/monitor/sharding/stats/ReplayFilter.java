package io.autoglm.monitor.sharding.stats;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Exactly-once over replays, for one write of an entity: judges each batch part against the seqs
 * the entity has applied per agent source ({@code agentId#epoch}) and those applied earlier in the
 * same write, and collects what the write will have applied.
 */
public final class ReplayFilter {
  /** A part of one agent batch (or of an anonymous one). */
  public interface Part {
    boolean identified();

    String agentId();

    long epoch();

    long seq();

    String sourceKey();
  }

  public enum Verdict {
    /** New: count it. */
    APPLY,
    /** A replay of a batch already counted. */
    DUPLICATE,
    /** Under a node-issued key too old to tell: refused rather than maybe counted twice. */
    EXPIRED
  }

  /** Whether a batch of {@code agentId} in {@code epoch}, never seen, may have been forgotten. */
  @FunctionalInterface
  public interface Forgotten {
    boolean test(String agentId, long epoch);
  }

  private final ToLongFunction<String> appliedSeq;
  private final Forgotten forgotten;
  private final Map<String, Long> applied = new HashMap<>();
  private final Map<String, Long> first = new HashMap<>();

  /**
   * @param appliedSeq the highest seq the entity has applied per source, or -1
   */
  public ReplayFilter(ToLongFunction<String> appliedSeq, Forgotten forgotten) {
    this.appliedSeq = appliedSeq;
    this.forgotten = forgotten;
  }

  public Verdict judge(Part part) {
    if (!part.identified()) {
      return Verdict.APPLY; // records without an identity are never de-duplicated
    }
    String source = part.sourceKey();
    long seen = Math.max(appliedSeq.applyAsLong(source), applied.getOrDefault(source, -1L));
    if (part.seq() <= seen) {
      return Verdict.DUPLICATE;
    }
    if (seen < 0 && forgotten.test(part.agentId(), part.epoch())) {
      return Verdict.EXPIRED;
    }
    applied.put(source, part.seq());
    first.merge(source, part.seq(), Math::min);
    return Verdict.APPLY;
  }

  /** The highest seq applied by this write, per source. */
  public Map<String, Long> appliedSeqs() {
    return applied;
  }

  /** The lowest seq applied by this write, per source (what a failed write loses). */
  public Map<String, Long> firstSeqs() {
    return first;
  }
}
