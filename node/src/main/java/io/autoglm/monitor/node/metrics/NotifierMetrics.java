package io.autoglm.monitor.node.metrics;

import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditRow;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The notifier's attempts, failures, failovers and suppressions, from the audit rows as this node's
 * notifier writes them ({@link io.autoglm.monitor.persistence.cassandra.NotifierStore}): each
 * counted on the node that made the attempt, so sums over nodes are exact. Receivers and channels
 * are whatever the routing names: at most {@code max-receiver-channels} pairs get series, the rest
 * count under {@code "(other)"}.
 */
public final class NotifierMetrics implements Consumer<AuditRow>, MultiCollector {
  private static final Labels OTHER = Labels.of("receiver", "(other)", "channel", "(other)");

  private final int maxPairs;
  private final Map<Labels, LongAdder> attempts = new ConcurrentHashMap<>();
  private final Map<Labels, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<Labels, LongAdder> failovers = new ConcurrentHashMap<>();
  private final LongAdder suppressed = new LongAdder();

  public NotifierMetrics(int maxPairs) {
    this.maxPairs = maxPairs;
  }

  @Override
  public void accept(AuditRow row) {
    AuditStatus status = row.status();
    if (status == AuditStatus.SUPPRESSED) {
      suppressed.increment();
      return;
    }
    Labels labels = labelsOf(row);
    if (status == AuditStatus.FAILOVER) {
      count(failovers, labels);
      return;
    }
    count(attempts, labels);
    if (status == AuditStatus.FAILED) {
      count(failures, labels);
    }
  }

  private Labels labelsOf(AuditRow row) {
    Labels labels =
        Labels.of(
            "receiver",
            row.receiver() == null ? "" : row.receiver(),
            "channel",
            row.channel() == null ? "" : row.channel());
    if (!attempts.containsKey(labels)
        && !failovers.containsKey(labels)
        && attempts.size() + failovers.size() >= maxPairs) {
      return OTHER;
    }
    return labels;
  }

  private static void count(Map<Labels, LongAdder> counts, Labels labels) {
    counts.computeIfAbsent(labels, l -> new LongAdder()).increment();
  }

  @Override
  public MetricSnapshots collect() {
    return MetricSnapshots.of(
        counters(
            "autoglm_notifier_attempts",
            "Delivery attempts per receiver and channel (retries included)",
            attempts),
        counters(
            "autoglm_notifier_failures",
            "Delivery attempts that failed, per receiver and channel",
            failures),
        counters(
            "autoglm_notifier_failovers",
            "Receivers whose channels all failed, handing over to the next of their chain",
            failovers),
        CounterSnapshot.builder()
            .name("autoglm_notifier_suppressed")
            .help("Alert changes not sent (silenced, inhibited, deduplicated)")
            .dataPoint(EndpointMetrics.counter(Labels.EMPTY, suppressed.sum()))
            .build());
  }

  private static CounterSnapshot counters(String name, String help, Map<Labels, LongAdder> counts) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
    counts.forEach((labels, n) -> b.dataPoint(EndpointMetrics.counter(labels, n.sum())));
    return b.build();
  }
}
