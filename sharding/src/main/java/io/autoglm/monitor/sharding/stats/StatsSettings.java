package io.autoglm.monitor.sharding.stats;

import com.typesafe.config.Config;
import io.autoglm.monitor.sharding.RestartBackoff;
import java.time.Duration;

/**
 * Settings of the statistics entities ({@code autoglm.stats} in the config).
 *
 * @param windowMs tumbling window length
 * @param allowedLatenessMs how far behind the newest event a record may arrive and still count
 * @param maxFutureMs how far ahead of the node's wall clock a record's {@code ts} may be; records
 *     beyond are counted as {@code future} and never move a watermark (a gateway with a broken
 *     clock, or one record from the year 2099, must not make every later record late)
 * @param historyWindows how many closed windows an entity keeps in memory (and snapshots)
 * @param tick how often an entity checks whether the wall clock closes windows
 * @param snapshotEvery events between snapshots
 * @param minWriteInterval an entity writes ingested data at most once per this interval (in
 *     back-to-back slots from its first write): deltas that arrive when the slot has had its write
 *     (from other connections, other nodes, HTTP posts) wait for the next slot and share its write;
 *     zero writes every delta at once
 * @param restartBackoff how an entity restarts after a failed journal write
 * @param passivateAfter an endpoint entity with nothing left to do stops after this long without
 *     new data
 */
public record StatsSettings(
    long windowMs,
    long allowedLatenessMs,
    long maxFutureMs,
    int historyWindows,
    Duration tick,
    int snapshotEvery,
    Duration askTimeout,
    Duration minWriteInterval,
    RestartBackoff restartBackoff,
    Duration passivateAfter) {

  public StatsSettings {
    if (windowMs < 100) {
      throw new IllegalArgumentException("autoglm.stats.window must be at least 100ms");
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
    if (historyWindows < 1) {
      throw new IllegalArgumentException("autoglm.stats.history-windows must be at least 1");
    }
  }

  public static StatsSettings fromConfig(Config root) {
    Config c = root.getConfig("autoglm.stats");
    return new StatsSettings(
        c.getDuration("window").toMillis(),
        c.getDuration("allowed-lateness").toMillis(),
        c.getDuration("max-future").toMillis(),
        c.getInt("history-windows"),
        c.getDuration("watermark-tick"),
        c.getInt("snapshot-every"),
        c.getDuration("ask-timeout"),
        c.getDuration("min-write-interval"),
        RestartBackoff.fromConfig(root),
        c.getDuration("passivate-after"));
  }

  public StatsSettings withMinWriteInterval(Duration interval) {
    return new StatsSettings(
        windowMs,
        allowedLatenessMs,
        maxFutureMs,
        historyWindows,
        tick,
        snapshotEvery,
        askTimeout,
        interval,
        restartBackoff,
        passivateAfter);
  }

  /** The newest {@code ts} a record may carry when the wall clock reads {@code nowMs}. */
  public long futureLimit(long nowMs) {
    return nowMs + maxFutureMs;
  }

  public long windowStartOf(long ts) {
    return Math.floorDiv(ts, windowMs) * windowMs;
  }
}
