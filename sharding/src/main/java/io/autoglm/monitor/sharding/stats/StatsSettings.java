package io.autoglm.monitor.sharding.stats;

import com.typesafe.config.Config;
import io.autoglm.monitor.sharding.RestartBackoff;
import java.time.Duration;

/**
 * Settings of the statistics entities ({@code autoglm.stats} in the config).
 *
 * @param paneMs the event-time span records are counted in: every statistic is kept per pane (1 s
 *     by default) and per minute, and rules sum panes into their windows
 * @param windowMs the window of a rule that names none
 * @param paneHistoryMs how far back (from the newest evaluation) 1 s panes are kept; windows
 *     reaching further back are summed from minutes for that part
 * @param maxWindowMs the longest window a rule may have; minutes are kept this far back
 * @param allowedLatenessMs how far behind the newest data a record may arrive and still be counted
 *     in its pane, its minute and the history; older ones are counted as {@code late}
 * @param maxFutureMs how far ahead of the node's wall clock a record's {@code ts} may be; records
 *     beyond are counted as {@code future} and never move event time (a gateway with a broken
 *     clock, or one record from the year 2099, must not make every later record late)
 * @param tick how often an entity checks whether the wall clock moves its event time
 * @param snapshotEvery events between snapshots
 * @param minWriteInterval an entity writes ingested data at most once per this interval (in
 *     back-to-back slots from its first write): deltas that arrive when the slot has had its write
 *     (from other connections, other nodes, HTTP posts) wait for the next slot and share its write,
 *     unless they make a pending or firing rule fire or resolve (or one with {@code for: 0} fire);
 *     zero writes every delta at once
 * @param restartBackoff how an entity restarts after a failed journal write
 * @param passivateAfter an endpoint entity with nothing left to do stops after this long without
 *     new data
 * @param errorStatuses which statuses count as errors
 */
public record StatsSettings(
    long paneMs,
    long windowMs,
    long paneHistoryMs,
    long maxWindowMs,
    long allowedLatenessMs,
    long maxFutureMs,
    Duration tick,
    int snapshotEvery,
    Duration askTimeout,
    Duration minWriteInterval,
    RestartBackoff restartBackoff,
    Duration passivateAfter,
    ErrorStatuses errorStatuses) {

  /** History is kept per minute: the rollup granularity. */
  public static final long MINUTE_MS = 60_000;

  public StatsSettings {
    if (paneMs < 100 || MINUTE_MS % paneMs != 0) {
      throw new IllegalArgumentException(
          "autoglm.stats.pane must be at least 100ms and divide a minute, got " + paneMs + "ms");
    }
    if (windowMs < paneMs || windowMs % paneMs != 0 || windowMs > maxWindowMs) {
      throw new IllegalArgumentException(
          "autoglm.stats.window must be a multiple of the pane, at most max-window, got "
              + windowMs
              + "ms");
    }
    if (paneHistoryMs < MINUTE_MS || paneHistoryMs % MINUTE_MS != 0) {
      throw new IllegalArgumentException(
          "autoglm.stats.pane-history must be a whole number of minutes, at least 1m");
    }
    if (maxWindowMs < paneMs || maxWindowMs > 24 * 3_600_000L) {
      throw new IllegalArgumentException("autoglm.stats.max-window must be 1 pane to 24h");
    }
    if (allowedLatenessMs < 0) {
      throw new IllegalArgumentException("autoglm.stats.allowed-lateness must not be negative");
    }
    if (maxFutureMs < 0) {
      throw new IllegalArgumentException("autoglm.stats.max-future must not be negative");
    }
    if (minWriteInterval.isNegative()) {
      throw new IllegalArgumentException("autoglm.stats.min-write-interval must not be negative");
    }
    if (passivateAfter.isNegative() || passivateAfter.isZero()) {
      throw new IllegalArgumentException("autoglm.stats.passivate-after must be positive");
    }
  }

  public static StatsSettings fromConfig(Config root) {
    Config c = root.getConfig("autoglm.stats");
    return new StatsSettings(
        c.getDuration("pane").toMillis(),
        c.getDuration("window").toMillis(),
        c.getDuration("pane-history").toMillis(),
        c.getDuration("max-window").toMillis(),
        c.getDuration("allowed-lateness").toMillis(),
        c.getDuration("max-future").toMillis(),
        c.getDuration("watermark-tick"),
        c.getInt("snapshot-every"),
        c.getDuration("ask-timeout"),
        c.getDuration("min-write-interval"),
        RestartBackoff.fromConfig(root),
        c.getDuration("passivate-after"),
        ErrorStatuses.parse(c.getStringList("error-statuses")));
  }

  public StatsSettings withMinWriteInterval(Duration interval) {
    return new StatsSettings(
        paneMs,
        windowMs,
        paneHistoryMs,
        maxWindowMs,
        allowedLatenessMs,
        maxFutureMs,
        tick,
        snapshotEvery,
        askTimeout,
        interval,
        restartBackoff,
        passivateAfter,
        errorStatuses);
  }

  /** Whether a request answered {@code status} counts as an error. */
  public boolean isError(int status) {
    return errorStatuses.isError(status);
  }

  /** The newest {@code ts} a record may carry when the wall clock reads {@code nowMs}. */
  public long futureLimit(long nowMs) {
    return nowMs + maxFutureMs;
  }

  public long paneStartOf(long ts) {
    return Math.floorDiv(ts, paneMs) * paneMs;
  }

  public static long minuteStartOf(long ts) {
    return Math.floorDiv(ts, MINUTE_MS) * MINUTE_MS;
  }

  /** The window of {@code ruleWindowMs} (0: the default window), at most {@code max-window}. */
  public long windowOf(long ruleWindowMs) {
    return ruleWindowMs <= 0 ? windowMs : Math.min(ruleWindowMs, maxWindowMs);
  }
}
