package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.detect.model.Band;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The recent past of one subject (an endpoint, a source IP, an imported series) as the detectors
 * read it: per whole minute, its requests and the value of each metric a rule watches. The history
 * of {@code baseline}, {@code change} and {@code forecast} rules.
 *
 * <p>A ring of {@code capacity} minutes in primitive arrays, one array per metric in use: a day is
 * 1,440 slots, about 12 KB per metric. Not persisted: an entity fills it from its own minutes as
 * they complete and, after a restart, from the rollup history. Not thread safe: its owner's state.
 *
 * <p>A minute without data reads as NaN, except for QPS and tokens per second after the first
 * minute recorded: a minute without requests had none (0/s).
 */
public final class MinuteHistory {
  private static final long MINUTE = StatsSettings.MINUTE_MS;

  /** Bytes a slot takes: its minute and requests, and 8 per metric column. */
  private static final int SLOT_BYTES = 16;

  private static final int VALUE_BYTES = 8;

  private final boolean countsMissingAsZero;
  private final HistoryBudget budget;
  private int capacity;
  private int columns;
  private long[] minuteOf; // minute start held by each slot, Long.MIN_VALUE for none
  private long[] requests;
  private double[][] values = new double[Metric.values().length][];
  private long firstMinute = Long.MAX_VALUE;
  private long version;

  /** A history of {@code capacity} minutes (at least 1). */
  public MinuteHistory(int capacity) {
    this(capacity, true);
  }

  /**
   * A history of {@code capacity} minutes; {@code countsMissingAsZero} false for a series that has
   * no value for some minutes by its step (not because nothing happened).
   */
  public MinuteHistory(int capacity, boolean countsMissingAsZero) {
    this(capacity, countsMissingAsZero, HistoryBudget.UNLIMITED);
  }

  /**
   * A history of an endpoint that grows only as far as {@code budget} allows (its first slot is
   * free: an endpoint without history-reading rules takes nothing).
   */
  public MinuteHistory(HistoryBudget budget) {
    this(1, true, budget);
  }

  private MinuteHistory(int capacity, boolean countsMissingAsZero, HistoryBudget budget) {
    this.countsMissingAsZero = countsMissingAsZero;
    this.budget = budget;
    this.capacity = Math.max(1, capacity);
    this.minuteOf = new long[this.capacity];
    this.requests = new long[this.capacity];
    Arrays.fill(minuteOf, Long.MIN_VALUE);
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Counts up whenever a minute already recorded changes or an older one arrives: what was computed
   * from the history before may differ now. Recording the newest minute does not count it up.
   */
  public long version() {
    return version;
  }

  /** The first minute recorded, or {@link Long#MAX_VALUE}. */
  public long firstMinute() {
    return firstMinute;
  }

  /**
   * Declares that the subject was watched from {@code minuteStart} to {@code until}, though it may
   * have sent nothing until later: its QPS and tokens per second read 0 there (a source IP tracked
   * only once it got busy sent too little to track before).
   */
  public void observedSince(long minuteStart, long until) {
    firstMinute = Math.min(firstMinute, minuteStart);
    observedUntil = Math.max(observedUntil, until);
  }

  private long observedUntil = Long.MIN_VALUE;

  /**
   * Keeps at least {@code minutes} minutes from now on, keeping what it holds, if the budget has
   * room; returns whether it does.
   */
  public boolean ensureCapacity(int minutes) {
    if (minutes <= capacity) {
      return true;
    }
    long grow = (long) (minutes - capacity) * (SLOT_BYTES + VALUE_BYTES * columns);
    if (!budget.reserve(grow)) {
      return false;
    }
    reserved += grow;
    MinuteHistory bigger = new MinuteHistory(minutes, countsMissingAsZero);
    for (int i = 0; i < capacity; i++) {
      if (minuteOf[i] != Long.MIN_VALUE) {
        int j = bigger.slot(minuteOf[i]);
        bigger.minuteOf[j] = minuteOf[i];
        bigger.requests[j] = requests[i];
        for (int m = 0; m < values.length; m++) {
          if (values[m] != null) {
            bigger.column(m)[j] = values[m][i];
          }
        }
      }
    }
    capacity = bigger.capacity;
    minuteOf = bigger.minuteOf;
    requests = bigger.requests;
    values = bigger.values;
    return true;
  }

  /** Gives back to the budget all this history took; it is not used afterwards. */
  public void release() {
    budget.release(reserved);
    reserved = 0;
    capacity = 1;
    columns = 0;
    minuteOf = new long[] {Long.MIN_VALUE};
    requests = new long[1];
    values = new double[Metric.values().length][];
    bands.clear();
  }

  /** What this history holds of the budget. */
  long reservedBytes() {
    return reserved;
  }

  private long reserved;

  /**
   * Records the minute starting at {@code minuteStart}: {@code requests} requests, and the value of
   * each of {@code metrics} from {@code valueOf}. Returns false (and records nothing) when it holds
   * that minute already with the same requests, or the minute is older than the ring reaches.
   */
  public boolean record(long minuteStart, long requestCount, Metric[] metrics, ValueOf valueOf) {
    int i = slot(minuteStart);
    if (minuteOf[i] == minuteStart && requests[i] == requestCount) {
      return false;
    }
    if (!reaches(minuteStart)) {
      return false; // the ring has moved past it
    }
    if (minuteOf[i] == minuteStart || minuteStart < newest()) {
      version++;
    }
    minuteOf[i] = minuteStart;
    requests[i] = requestCount;
    for (int m = 0; m < values.length; m++) {
      if (values[m] != null) {
        values[m][i] = Double.NaN;
      }
    }
    for (Metric metric : metrics) {
      double[] col = column(metric.ordinal());
      if (col != null) {
        col[i] = valueOf.of(metric);
      }
    }
    firstMinute = Math.min(firstMinute, minuteStart);
    newestMinute = Math.max(newestMinute, minuteStart);
    return true;
  }

  private long newestMinute = Long.MIN_VALUE;

  private long newest() {
    return newestMinute;
  }

  /** The value of a metric over the minute being recorded. */
  @FunctionalInterface
  public interface ValueOf {
    double of(Metric metric);
  }

  /** The requests of the minute starting at {@code minuteStart}; 0 if none are held. */
  public long requests(long minuteStart) {
    int i = slot(minuteStart);
    return minuteOf[i] == minuteStart && reaches(minuteStart) ? requests[i] : 0;
  }

  /**
   * The value of {@code metric} in the minute starting at {@code minuteStart}; NaN without data.
   */
  public double value(Metric metric, long minuteStart) {
    int i = slot(minuteStart);
    if (minuteOf[i] == minuteStart && reaches(minuteStart)) {
      double[] col = values[metric.ordinal()];
      return col == null ? Double.NaN : col[i];
    }
    boolean counted =
        countsMissingAsZero && (metric == Metric.QPS || metric == Metric.TOKENS_PER_SECOND);
    return counted
            && minuteStart >= firstMinute
            && (minuteStart <= newestMinute || minuteStart + MINUTE <= observedUntil)
            && reaches(minuteStart)
        ? 0
        : Double.NaN;
  }

  /** Whether the ring still reaches back to {@code minuteStart}. */
  private boolean reaches(long minuteStart) {
    return newestMinute == Long.MIN_VALUE || minuteStart > newestMinute - capacity * MINUTE;
  }

  /**
   * The values of {@code metric} of the minutes starting in {@code [from, to)}, oldest first (NaN
   * where there is no data, or fewer than {@code minRequests} requests for a rate or latency).
   */
  public double[] values(Metric metric, long from, long to, long minRequests) {
    int n = (int) Math.max(0, (to - from) / MINUTE);
    double[] out = new double[n];
    for (int k = 0; k < n; k++) {
      long minute = from + k * MINUTE;
      double v = value(metric, minute);
      boolean counted = metric == Metric.QPS || metric == Metric.TOKENS_PER_SECOND;
      out[k] = !counted && requests(minute) < minRequests ? Double.NaN : v;
    }
    return out;
  }

  /**
   * The value of {@code metric} over the minutes starting in {@code [from, to)} taken together, and
   * their requests: rates and latencies weighted by requests (exact for rates), per-second values
   * averaged over the minutes. NaN without data.
   */
  public Measured over(Metric metric, long from, long to) {
    boolean counted = metric == Metric.QPS || metric == Metric.TOKENS_PER_SECOND;
    double sum = 0;
    double weight = 0;
    long total = 0;
    for (long minute = from; minute < to; minute += MINUTE) {
      double v = value(metric, minute);
      long r = requests(minute);
      total += r;
      if (Double.isNaN(v)) {
        continue;
      }
      double w = counted ? 1 : r;
      sum += v * w;
      weight += w;
    }
    return new Measured(weight > 0 ? sum / weight : Double.NaN, total);
  }

  /**
   * The band {@code compute} gives for {@code rule} at {@code at} (the end of the history it
   * reads), computed again only when {@code at} or this history's {@link #version} changed: a
   * baseline is recomputed once a minute, not at every evaluation point. May be null (too little
   * history).
   */
  public Band cachedBand(ThresholdRule rule, long at, Supplier<Band> compute) {
    CachedBand c = bands.get(rule.id());
    if (c != null
        && c.at == at
        && c.version == version
        && (c.rule == rule || c.rule.equals(rule))) {
      return c.band;
    }
    Band band = compute.get();
    bands.put(rule.id(), new CachedBand(rule, at, version, band));
    return band;
  }

  private record CachedBand(ThresholdRule rule, long at, long version, Band band) {}

  private final Map<String, CachedBand> bands = new HashMap<>();

  /** A value and the requests it was computed over. */
  public record Measured(double value, long requests) {}

  /** The values of a metric, allocated on first use if the budget has room; else null. */
  private double[] column(int metric) {
    if (values[metric] == null) {
      if (capacity > 1) {
        if (!budget.reserve((long) capacity * VALUE_BYTES)) {
          return null;
        }
        reserved += (long) capacity * VALUE_BYTES;
      }
      values[metric] = new double[capacity];
      Arrays.fill(values[metric], Double.NaN);
      columns++;
    }
    return values[metric];
  }

  private int slot(long minuteStart) {
    return (int) Math.floorMod(Math.floorDiv(minuteStart, MINUTE), (long) capacity);
  }
}
