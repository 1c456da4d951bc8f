package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.stats.WindowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * An entity's side of the per-minute history: the minutes that changed since they were last written
 * ({@link #changed}), written whole to the {@link RollupSink} ({@link #write}); a failed write
 * hands its minutes back so the entity can mark them changed again and retry. Not persisted: after
 * a restart an entity marks every minute it holds as changed. Not thread safe: the entity's own
 * state.
 *
 * <p>The history is kept per statistics entity (an endpoint) or per sub-entity (a source IP in its
 * group), each under its own name.
 */
public final class HistoryWriter {
  private final RollupSink sink;
  private final String entity; // the name of changed(ts) and write(minuteAt, failed)
  private final Map<String, TreeSet<Long>> changed = new TreeMap<>();

  /**
   * @param entity the entity's persistence id, under which its minutes are stored
   */
  public HistoryWriter(RollupSink sink, String entity) {
    this.sink = sink;
    this.entity = entity;
  }

  /** A writer for several names at once ({@link #changed(String, long)}). */
  public HistoryWriter(RollupSink sink) {
    this(sink, null);
  }

  /** The minute holding {@code ts} changed. */
  public void changed(long ts) {
    changed(entity, ts);
  }

  /** The minute holding {@code ts} of the history named {@code name} changed. */
  public void changed(String name, long ts) {
    changed.computeIfAbsent(name, n -> new TreeSet<>()).add(StatsSettings.minuteStartOf(ts));
  }

  public void changedAll(List<Long> minuteStarts) {
    minuteStarts.forEach(this::changed);
  }

  /**
   * Writes every changed minute that {@code minuteAt} (minute start → its statistics, or null when
   * no longer held) still has; {@code failed} gets the minute starts of a write that failed, on the
   * sink's thread (tell them to the entity).
   */
  public void write(LongFunction<WindowStats> minuteAt, Consumer<List<Long>> failed) {
    write((name, start) -> minuteAt.apply(start), (name, starts) -> failed.accept(starts));
  }

  /**
   * Like {@link #write(LongFunction, Consumer)} for every name with changed minutes: {@code
   * minuteAt} gets the name and the minute start.
   */
  public void write(
      BiFunction<String, Long, WindowStats> minuteAt, BiConsumer<String, List<Long>> failed) {
    if (changed.isEmpty()) {
      return;
    }
    changed.forEach(
        (name, starts) -> {
          List<WindowStats> minutes = new ArrayList<>(starts.size());
          List<Long> written = new ArrayList<>(starts.size());
          for (long start : starts) {
            WindowStats m = minuteAt.apply(name, start);
            if (m != null) {
              minutes.add(m);
              written.add(start);
            }
          }
          if (!minutes.isEmpty()) {
            sink.write(name, minutes)
                .whenComplete(
                    (done, failure) -> {
                      if (failure != null) {
                        failed.accept(name, written);
                      }
                    });
          }
        });
    changed.clear();
  }
}
