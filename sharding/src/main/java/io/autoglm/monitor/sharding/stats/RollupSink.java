package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.stats.WindowStats;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where statistics entities write their per-minute history, and read it back: the node hands them
 * the Cassandra rollup table; {@link #NONE} keeps no history (tests that do not look at it, and
 * backtests). A write overwrites the given minutes whole, so writing one again is harmless.
 */
@FunctionalInterface
public interface RollupSink {
  RollupSink NONE = (entity, minutes) -> CompletableFuture.completedFuture(null);

  /**
   * @param entity the entity's persistence id, e.g. {@code EndpointStats|default/v1/chat}
   * @param minutes whole minutes of its statistics
   */
  CompletionStage<Void> write(String entity, List<WindowStats> minutes);

  /**
   * The minutes of {@code entity} starting in {@code [from, to)} that the history holds, oldest
   * first: what an entity's detectors compare with after a restart. None by default ({@link #NONE}
   * keeps nothing).
   */
  default CompletionStage<List<WindowStats>> read(String entity, long from, long to) {
    return CompletableFuture.completedFuture(List.of());
  }
}
