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
  QPS("qps", true),
  /** Share of requests that count as errors (5xx and 429 by default), 0..1. */
  ERROR_RATE("error_rate", true),
  P95_LATENCY_MS("p95_latency_ms", false),
  P99_LATENCY_MS("p99_latency_ms", false),
  /** Share of requests answered 4xx, 0..1. */
  CLIENT_ERROR_RATE("client_error_rate", true),
  /** Share of requests answered 401 or 403 (credential stuffing), 0..1. */
  AUTH_FAILURE_RATE("auth_failure_rate", true),
  /** Share of requests answered 429 (throttled), 0..1. */
  THROTTLE_RATE("throttle_rate", true),
  /** Prompt and completion tokens per second. */
  TOKENS_PER_SECOND("tokens_per_second", true),
  /** Time to first token, 95th percentile, of the requests that report it; endpoints only. */
  TTFT_P95_MS("ttft_p95_ms", false);

  private final String wireName;
  private final boolean forSourceIps;

  Metric(String wireName, boolean forSourceIps) {
    this.wireName = wireName;
    this.forSourceIps = forSourceIps;
  }

  /** Whether a rule on source IPs ({@link RuleScope#IP}) can watch this metric. */
  public boolean forSourceIps() {
    return forSourceIps;
  }

  /** A share of requests, 0..1. */
  public boolean isRate() {
    return this == ERROR_RATE
        || this == CLIENT_ERROR_RATE
        || this == AUTH_FAILURE_RATE
        || this == THROTTLE_RATE;
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
