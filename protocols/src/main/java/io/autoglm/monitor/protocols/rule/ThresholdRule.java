package io.autoglm.monitor.protocols.rule;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.Map;

/**
 * A static threshold rule: fire when {@code metric comparison threshold}, computed over the sliding
 * window of the last {@code windowMs} of event time, has held for at least {@code forMs}, for every
 * endpoint whose service and path match the selectors; after a resolve, stay quiet for {@code
 * cooldownMs}. A {@code windowMs} of 0 (rules stored before windows existed, or rules naming none)
 * means the node's default window ({@code autoglm.stats.window}).
 *
 * <p>A firing alert resolves once the comparison no longer holds against {@code recovery}, the
 * recovery threshold (hysteresis): {@code error_rate > 0.05} with recovery 0.02 fires above 5 % and
 * stays firing until the rate is back at or below 2 %, so a rate wobbling around 5 % does not fire
 * and resolve again and again. Null (rules stored before it existed, or naming none): the threshold
 * itself.
 *
 * <p>{@code keepFiringForMs} (as Prometheus' {@code keep_firing_for}): a firing alert resolves only
 * once its condition has not held for that long, so a series with gaps or a brief dip does not
 * resolve and fire again; 0 (the default, and rules stored before it existed): at once.
 *
 * <p>{@code minRequests}: a window with fewer requests does not count for a rate or latency rule
 * (it changes nothing, like a window without data), so 2 errors in 3 requests are not a 67 % error
 * rate; 0 (the default): every window with data counts.
 *
 * <p>{@code critical}: a second, further threshold (warning and critical levels in one rule): the
 * alert fires at the rule's severity past {@code threshold} and is raised to critical once the
 * value passes {@code critical}; null: one level.
 *
 * <p>{@code detection}: how a rule of another kind than {@code threshold} decides (see {@link
 * Detection}); null for a threshold rule. An {@code auto} rule has no metric of its own (null).
 *
 * <p>{@code labels} and {@code annotations} go into its alerts as given (as in Prometheus).
 *
 * <p>{@code filters}: flapping, mute times, "same as last week", confirming evidence and a
 * notification limit ({@link Filters}); null (rules stored before they existed): the defaults.
 *
 * <p>Built by {@link RuleCodec#parse}, which validates every field. The selectors are globs
 * compiled once, here; they are stored as their pattern strings.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public record ThresholdRule(
    String id,
    Metric metric,
    Comparison comparison,
    double threshold,
    long forMs,
    long cooldownMs,
    Severity severity,
    Glob serviceSelector,
    Glob endpointSelector,
    String description,
    long windowMs,
    RuleScope scope,
    Glob ipSelector,
    Double recovery,
    long keepFiringForMs,
    long minRequests,
    Double critical,
    Detection detection,
    Map<String, String> labels,
    Map<String, String> annotations,
    Filters filters)
    implements CborSerializable {

  public ThresholdRule {
    scope = scope == null ? RuleScope.ENDPOINT : scope; // rules stored before scopes existed
    ipSelector = ipSelector == null ? Glob.of("*") : ipSelector;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    filters = filters == null ? Filters.DEFAULT : filters;
  }

  /** A rule with the default {@link Filters}. */
  public ThresholdRule(
      String id,
      Metric metric,
      Comparison comparison,
      double threshold,
      long forMs,
      long cooldownMs,
      Severity severity,
      Glob serviceSelector,
      Glob endpointSelector,
      String description,
      long windowMs,
      RuleScope scope,
      Glob ipSelector,
      Double recovery,
      long keepFiringForMs,
      long minRequests,
      Double critical,
      Detection detection,
      Map<String, String> labels,
      Map<String, String> annotations) {
    this(
        id,
        metric,
        comparison,
        threshold,
        forMs,
        cooldownMs,
        severity,
        serviceSelector,
        endpointSelector,
        description,
        windowMs,
        scope,
        ipSelector,
        recovery,
        keepFiringForMs,
        minRequests,
        critical,
        detection,
        labels,
        annotations,
        Filters.DEFAULT);
  }

  /** A threshold rule without a critical level, labels or annotations. */
  public ThresholdRule(
      String id,
      Metric metric,
      Comparison comparison,
      double threshold,
      long forMs,
      long cooldownMs,
      Severity severity,
      Glob serviceSelector,
      Glob endpointSelector,
      String description,
      long windowMs,
      RuleScope scope,
      Glob ipSelector,
      Double recovery,
      long keepFiringForMs,
      long minRequests) {
    this(
        id,
        metric,
        comparison,
        threshold,
        forMs,
        cooldownMs,
        severity,
        serviceSelector,
        endpointSelector,
        description,
        windowMs,
        scope,
        ipSelector,
        recovery,
        keepFiringForMs,
        minRequests,
        null,
        null,
        Map.of(),
        Map.of());
  }

  /** This rule with {@code filters} in place of its own. */
  public ThresholdRule withFilters(Filters filters) {
    return new ThresholdRule(
        id,
        metric,
        comparison,
        threshold,
        forMs,
        cooldownMs,
        severity,
        serviceSelector,
        endpointSelector,
        description,
        windowMs,
        scope,
        ipSelector,
        recovery,
        keepFiringForMs,
        minRequests,
        critical,
        detection,
        labels,
        annotations,
        filters);
  }

  /** The kind of rule: {@code threshold} unless it has a {@link #detection}. */
  public RuleKind kind() {
    return detection == null ? RuleKind.THRESHOLD : detection.kind();
  }

  /**
   * The severity of a threshold rule's alert at {@code value}: critical past its {@link #critical}
   * level, its own severity otherwise.
   */
  public Severity severityAt(double value) {
    return critical != null && comparison.holds(value, critical) ? Severity.CRITICAL : severity;
  }

  /** A rule that recovers at its threshold. */
  public ThresholdRule(
      String id,
      Metric metric,
      Comparison comparison,
      double threshold,
      long forMs,
      long cooldownMs,
      Severity severity,
      Glob serviceSelector,
      Glob endpointSelector,
      String description,
      long windowMs,
      RuleScope scope,
      Glob ipSelector) {
    this(
        id,
        metric,
        comparison,
        threshold,
        forMs,
        cooldownMs,
        severity,
        serviceSelector,
        endpointSelector,
        description,
        windowMs,
        scope,
        ipSelector,
        null,
        0,
        0);
  }

  /** An endpoint rule on {@code windowMs} (0: the node's default window). */
  public ThresholdRule(
      String id,
      Metric metric,
      Comparison comparison,
      double threshold,
      long forMs,
      long cooldownMs,
      Severity severity,
      Glob serviceSelector,
      Glob endpointSelector,
      String description,
      long windowMs) {
    this(
        id,
        metric,
        comparison,
        threshold,
        forMs,
        cooldownMs,
        severity,
        serviceSelector,
        endpointSelector,
        description,
        windowMs,
        RuleScope.ENDPOINT,
        Glob.of("*"));
  }

  /** A rule on the node's default window. */
  public ThresholdRule(
      String id,
      Metric metric,
      Comparison comparison,
      double threshold,
      long forMs,
      long cooldownMs,
      Severity severity,
      Glob serviceSelector,
      Glob endpointSelector,
      String description) {
    this(
        id,
        metric,
        comparison,
        threshold,
        forMs,
        cooldownMs,
        severity,
        serviceSelector,
        endpointSelector,
        description,
        0);
  }

  /** Whether this endpoint rule watches the endpoint {@code service} + {@code path}. */
  public boolean appliesTo(String service, String path) {
    return scope == RuleScope.ENDPOINT
        && serviceSelector.matches(service)
        && endpointSelector.matches(path);
  }

  /** Whether this source-IP rule watches {@code ip} (canonical form) of {@code service}. */
  public boolean appliesToIp(String service, String ip) {
    return scope == RuleScope.IP && serviceSelector.matches(service) && ipSelector.matches(ip);
  }

  /**
   * Whether this source-IP rule names IPs of its own (a selector other than {@code *}): such IPs
   * are tracked from their first request, not only once they are heavy hitters.
   */
  public boolean preselectsIps() {
    return scope == RuleScope.IP && !ipSelector.pattern().equals("*");
  }

  public boolean breached(double value) {
    return comparison.holds(value, threshold);
  }

  /**
   * {@code value} over a window of {@code requests} requests, or NaN when they are too few to count
   * ({@link #minRequests}).
   */
  public double gated(double value, long requests) {
    return requests < minRequests ? Double.NaN : value;
  }

  /** Whether a firing alert of this rule resolves at {@code value}: see {@link #recovery}. */
  public boolean recovered(double value) {
    return !comparison.holds(value, recovery == null ? threshold : recovery);
  }

  /**
   * e.g. {@code error_rate[1m] > 0.05 for 30s}; per source IP: {@code ip: qps[10s] > 50}; other
   * kinds say how they decide: {@code p95_latency_ms[1m] outside mad baseline ± 4σ of 1h (up)}.
   */
  public String expression() {
    String series =
        (scope == RuleScope.IP ? "ip: " : "")
            + (metric == null ? "" : metric.wireName())
            + (windowMs > 0 ? "[" + RuleCodec.formatDuration(windowMs) + "]" : "")
            + (metric == null ? "" : " ");
    String test;
    if (detection instanceof Detection.Baseline b) {
      test =
          "outside "
              + b.method().wireName()
              + " baseline ± "
              + RuleCodec.formatNumber(b.k())
              + "σ of "
              + RuleCodec.formatDuration(b.historyMs())
              + " ("
              + b.direction().wireName()
              + ")";
    } else if (detection instanceof Detection.Change c) {
      test =
          "changes by "
              + (c.mode() == Detection.ChangeMode.RATIO
                  ? RuleCodec.formatNumber(threshold * 100) + "%"
                  : RuleCodec.formatNumber(threshold))
              + " vs "
              + RuleCodec.formatDuration(c.offsetMs())
              + " earlier ("
              + c.direction().wireName()
              + ")";
    } else if (detection instanceof Detection.Forecast f) {
      test =
          "outside forecast ± "
              + RuleCodec.formatNumber(f.k())
              + "σ per "
              + RuleCodec.formatDuration(f.stepMs())
              + " ("
              + f.direction().wireName()
              + ")";
    } else if (detection instanceof Detection.Auto a) {
      test = "auto (" + a.sensitivity().wireName() + "): error_rate, p95_latency_ms, qps";
    } else {
      test =
          comparison.symbol()
              + " "
              + RuleCodec.formatNumber(threshold)
              + (critical != null
                  ? " (critical "
                      + comparison.symbol()
                      + " "
                      + RuleCodec.formatNumber(critical)
                      + ")"
                  : "");
    }
    return series
        + test
        + (forMs > 0 ? " for " + RuleCodec.formatDuration(forMs) : "")
        + (recovery != null
            ? ", resolves at "
                + comparison.negated().symbol()
                + " "
                + RuleCodec.formatNumber(recovery)
            : "")
        + (keepFiringForMs > 0
            ? ", keeps firing for " + RuleCodec.formatDuration(keepFiringForMs)
            : "")
        + (minRequests > 0 ? ", over windows of at least " + minRequests + " requests" : "");
  }
}
