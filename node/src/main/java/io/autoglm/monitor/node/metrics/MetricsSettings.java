package io.autoglm.monitor.node.metrics;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * {@code autoglm.metrics}: the bounds of what {@code GET /metrics} exposes.
 *
 * @param maxEndpoints endpoints exposed one by one; past them, records count under {@code
 *     service="(other)", endpoint="/(other)"} (the endpoint admission limit bounds them already;
 *     this bounds the series even if it is raised)
 * @param topIps source IPs exposed ({@code autoglm_top_source_ip_requests_per_second})
 * @param maxReceiverChannels receiver and channel pairs exposed one by one; past them, {@code
 *     "(other)"}
 * @param latencyBucketsSeconds the upper bounds of the latency histogram's buckets, ascending
 * @param shardPollInterval how often the shards and entities this node hosts are counted
 */
public record MetricsSettings(
    int maxEndpoints,
    int topIps,
    int maxReceiverChannels,
    double[] latencyBucketsSeconds,
    Duration shardPollInterval) {

  public MetricsSettings {
    if (maxEndpoints < 1 || topIps < 0 || maxReceiverChannels < 1) {
      throw new IllegalArgumentException(
          "autoglm.metrics: max-endpoints >= 1, top-ips >= 0, max-receiver-channels >= 1");
    }
    for (int i = 0; i < latencyBucketsSeconds.length; i++) {
      if (!(latencyBucketsSeconds[i] > 0)
          || i > 0 && latencyBucketsSeconds[i] <= latencyBucketsSeconds[i - 1]) {
        throw new IllegalArgumentException(
            "autoglm.metrics.latency-buckets must be ascending positive seconds, got "
                + java.util.Arrays.toString(latencyBucketsSeconds));
      }
    }
    if (latencyBucketsSeconds.length == 0) {
      throw new IllegalArgumentException("autoglm.metrics.latency-buckets must not be empty");
    }
  }

  public static MetricsSettings fromConfig(Config root) {
    Config c = root.getConfig("autoglm.metrics");
    List<Double> buckets = c.getDoubleList("latency-buckets");
    return new MetricsSettings(
        c.getInt("max-endpoints"),
        c.getInt("top-ips"),
        c.getInt("max-receiver-channels"),
        buckets.stream().mapToDouble(Double::doubleValue).toArray(),
        c.getDuration("shard-poll-interval"));
  }
}
