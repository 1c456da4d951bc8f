package io.autoglm.monitor.protocols.rule;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A per-window statistic a rule can watch. The wire name is what users write in rules.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public enum Metric {
  /** Requests per second over the window. */
  QPS("qps"),
  /** Share of requests answered 5xx or 429, 0..1. */
  ERROR_RATE("error_rate"),
  P95_LATENCY_MS("p95_latency_ms"),
  P99_LATENCY_MS("p99_latency_ms");

  private final String wireName;

  Metric(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<Metric> fromWireName(String name) {
    return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
  }

  public static String allWireNames() {
    return Arrays.stream(values()).map(Metric::wireName).collect(Collectors.joining(", "));
  }
}
