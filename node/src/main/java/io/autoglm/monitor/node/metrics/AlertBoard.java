package io.autoglm.monitor.node.metrics;

import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import io.autoglm.monitor.protocols.rule.Severity;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The alerts firing in the cluster, from the alert feed every node subscribes to: the same on every
 * node that has been up since they fired (aggregate with {@code max}, not {@code sum}). Bounded by
 * the rules and what they watch (endpoints and tracked IPs are bounded); at most {@value #MAX}
 * fingerprints are held.
 */
public final class AlertBoard implements MultiCollector {
  static final int MAX = 100_000;

  private final Map<String, String> firing = new ConcurrentHashMap<>();

  /** An alert change from the feed. */
  public void accept(Alert alert) {
    if (alert.status() == AlertStatus.FIRING) {
      if (firing.size() < MAX || firing.containsKey(alert.fingerprint())) {
        firing.put(alert.fingerprint(), severityOf(alert));
      }
    } else {
      firing.remove(alert.fingerprint());
    }
  }

  private static String severityOf(Alert alert) {
    return alert.severity() == null ? "none" : alert.severity().wireName();
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, Integer> bySeverity = new java.util.TreeMap<>();
    for (Severity s : Severity.values()) {
      bySeverity.put(s.wireName(), 0);
    }
    firing.values().forEach(s -> bySeverity.merge(s, 1, Integer::sum));
    GaugeSnapshot.Builder gauge =
        GaugeSnapshot.builder()
            .name("autoglm_alerts_firing")
            .help("Alerts firing in the cluster, by severity (the same on every node: use max)");
    bySeverity.forEach(
        (severity, n) ->
            gauge.dataPoint(
                GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("severity", severity))
                    .value(n)
                    .build()));
    return MetricSnapshots.of(gauge.build());
  }
}
