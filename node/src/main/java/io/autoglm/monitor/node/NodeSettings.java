package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/** {@code autoglm.http} and {@code autoglm.node}: what the node's HTTP side needs. */
public record NodeSettings(
    String httpInterface,
    int httpPort,
    long maxIngestBytes,
    Duration ingestTimeout,
    int recentAlerts,
    Duration recentAlertsLookback,
    int feedBuffer,
    String defaultService,
    List<String> allowedOrigins,
    long maxRuleBytes,
    int statsPanes,
    Duration startTimeout,
    Duration ruleLoadRetry,
    Duration ruleSyncInterval,
    Duration wakeInterval,
    Duration historyTtl,
    int seriesMaxPoints) {

  public NodeSettings {
    positive("autoglm.http.max-ingest-bytes", maxIngestBytes);
    positive("autoglm.http.max-rule-bytes", maxRuleBytes);
    if (historyTtl.compareTo(Duration.ofMinutes(1)) < 0
        || historyTtl.compareTo(Duration.ofDays(366)) > 0) {
      throw new IllegalArgumentException(
          "autoglm.history.ttl must be 1m to 366d, got " + historyTtl);
    }
    if (seriesMaxPoints < 1 || seriesMaxPoints > 100_000) {
      throw new IllegalArgumentException(
          "autoglm.history.max-points must be 1..100000, got " + seriesMaxPoints);
    }
    if (wakeInterval.isNegative() || wakeInterval.isZero()) {
      throw new IllegalArgumentException("autoglm.node.wake-interval must be positive");
    }
    if (recentAlertsLookback.isNegative()
        || recentAlertsLookback.compareTo(Duration.ofDays(30)) > 0) {
      throw new IllegalArgumentException(
          "autoglm.http.recent-alerts-lookback must be 0s (off) to 30d, got "
              + recentAlertsLookback);
    }
    if (statsPanes < 0) {
      throw new IllegalArgumentException(
          "autoglm.http.stats-panes must not be negative, got " + statsPanes);
    }
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be more than 0 bytes, got " + value);
    }
  }

  public static NodeSettings fromConfig(Config root) {
    Config http = root.getConfig("autoglm.http");
    return new NodeSettings(
        http.getString("interface"),
        http.getInt("port"),
        http.getBytes("max-ingest-bytes"),
        http.getDuration("ingest-timeout"),
        http.getInt("recent-alerts"),
        http.getDuration("recent-alerts-lookback"),
        http.getInt("feed-buffer"),
        root.getString("autoglm.node.default-service"),
        http.getStringList("allowed-origins"),
        http.getBytes("max-rule-bytes"),
        http.getInt("stats-panes"),
        root.getDuration("autoglm.node.start-timeout"),
        root.getDuration("autoglm.node.rule-load-retry"),
        root.getDuration("autoglm.node.rule-sync-interval"),
        root.getDuration("autoglm.node.wake-interval"),
        root.getDuration("autoglm.history.ttl"),
        root.getInt("autoglm.history.max-points"));
  }
}
