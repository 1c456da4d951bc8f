package io.autoglm.monitor.node.metrics;

import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import io.autoglm.monitor.protocols.rule.Severity;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The alerts firing in the cluster, from the alert feed every node subscribes to, and at start from
 * the journal ({@link #seed}): the same on every node (aggregate with {@code max}, not {@code
 * sum}), but for an alert that last changed before {@code autoglm.http.recent-alerts-lookback} on a
 * node started since. Bounded by the rules and what they watch (endpoints and tracked IPs are
 * bounded); at most {@value #MAX} fingerprints are held.
 */
public final class AlertBoard implements MultiCollector {
  static final int MAX = 100_000;

  private final Map<String, String> firing = new ConcurrentHashMap<>();

  /** Alerts changed live before the seed came: the seed's older changes do not override them. */
  private Set<String> changedLive = new HashSet<>();

  /** An alert change from the feed. */
  public synchronized void accept(Alert alert) {
    if (changedLive != null && changedLive.size() < MAX) {
      changedLive.add(alert.fingerprint());
    }
    apply(alert);
  }

  /**
   * The latest change of each alert from before this node started, oldest first; applied once,
   * under the changes the feed brought since.
   */
  public synchronized void seed(List<Alert> before) {
    if (changedLive == null) {
      return;
    }
    for (Alert a : before) {
      if (!changedLive.contains(a.fingerprint())) {
        apply(a);
      }
    }
    changedLive = null;
  }

  private void apply(Alert alert) {
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
