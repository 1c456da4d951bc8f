package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/** {@code autoglm.http} and {@code autoglm.node}: what the node's HTTP side needs. */
public record NodeSettings(String httpInterface, int httpPort, long maxIngestBytes, Duration ingestTimeout,
    int recentAlerts, int feedBuffer, String defaultService, List<String> allowedOrigins, long maxRuleBytes,
    int statsWindows, Duration startTimeout, Duration ruleLoadRetry) {

  public static NodeSettings fromConfig(Config root) {
    Config http = root.getConfig("autoglm.http");
    return new NodeSettings(
        http.getString("interface"),
        http.getInt("port"),
        http.getBytes("max-ingest-bytes"),
        http.getDuration("ingest-timeout"),
        http.getInt("recent-alerts"),
        http.getInt("feed-buffer"),
        root.getString("autoglm.node.default-service"),
        http.getStringList("allowed-origins"),
        http.getBytes("max-rule-bytes"),
        http.getInt("stats-windows"),
        root.getDuration("autoglm.node.start-timeout"),
        root.getDuration("autoglm.node.rule-load-retry"));
  }
}
