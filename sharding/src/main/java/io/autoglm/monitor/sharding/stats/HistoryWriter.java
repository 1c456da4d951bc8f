package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.stats.WindowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * One entity's side of the per-minute history: the minutes that changed since they were last
 * written ({@link #changed}), written whole to the {@link RollupSink} ({@link #write}); a failed
 * write hands its minutes back so the entity can mark them changed again and retry. Not persisted:
 * after a restart an entity marks every minute it holds as changed. Not thread safe: the entity's
 * own state.
 */
public final class HistoryWriter {
  private final RollupSink sink;
  private final String entity;
  private final TreeSet<Long> changed = new TreeSet<>();

  /**
   * @param entity the entity's persistence id, under which its minutes are stored
   */
  public HistoryWriter(RollupSink sink, String entity) {
    this.sink = sink;
    this.entity = entity;
  }

  /** The minute holding {@code ts} changed. */
  public void changed(long ts) {
    changed.add(StatsSettings.minuteStartOf(ts));
  }

  public void changedAll(List<Long> minuteStarts) {
    changed.addAll(minuteStarts);
  }

  /**
   * Writes every changed minute that {@code minuteAt} (minute start → its statistics, or null when
   * no longer held) still has; {@code failed} gets the minute starts of a write that failed, on the
   * sink's thread (tell them to the entity).
   */
  public void write(LongFunction<WindowStats> minuteAt, Consumer<List<Long>> failed) {
    if (changed.isEmpty()) {
      return;
    }
    List<WindowStats> minutes = new ArrayList<>(changed.size());
    List<Long> starts = new ArrayList<>(changed.size());
    for (long start : changed) {
      WindowStats m = minuteAt.apply(start);
      if (m != null) {
        minutes.add(m);
        starts.add(start);
      }
    }
    changed.clear();
    if (minutes.isEmpty()) {
      return;
    }
    sink.write(entity, minutes)
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                failed.accept(starts);
              }
            });
  }
}
