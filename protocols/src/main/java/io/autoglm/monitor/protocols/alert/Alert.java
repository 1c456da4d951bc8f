package io.autoglm.monitor.protocols.alert;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * One alert as it leaves the cluster: to the WebSocket feed, the recent-alerts list and the
 * notifier. A firing alert has {@code endsAt == 0}; the resolved one repeats the same {@code
 * fingerprint} and {@code startsAt} and sets {@code endsAt}. Times are epoch millis in event time
 * (the capture records' {@code ts}).
 *
 * @param fingerprint stable id of the (rule, service, endpoint or source IP) series, as in
 *     Alertmanager
 * @param endpoint the endpoint's path; {@code *} for an alert on a source IP
 * @param sourceIp the source IP of an alert of a rule on source IPs; null for an endpoint alert
 *     (and in alerts stored before source IPs had rules)
 * @param value the observed metric value in the window that caused this transition
 * @param windowEnd end of that window
 * @param kind the rule's kind ({@code threshold}, {@code baseline}, ...); null in alerts stored
 *     before rule kinds existed
 * @param explanation why it fired, in words, with the evidence (e.g. {@code QPS 5,210 vs 2,980 at
 *     this time yesterday (+75 %)}); null in alerts of threshold rules stored before it existed
 * @param labels the rule's labels; empty when it has none
 * @param annotations the rule's annotations; empty when it has none
 * @param flapping the alert's series changes state too often (its rule's flapping filter): it was
 *     notified once as flapping and is notified again once it settles
 * @param silent for the feed only, not for receivers: a further change of a flapping series
 *     <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 *     component (see persistence/README.md, "Stored types and how they evolve").
 */
public record Alert(
    String fingerprint,
    AlertStatus status,
    String ruleId,
    String service,
    String endpoint,
    String metric,
    String comparison,
    double threshold,
    double value,
    Severity severity,
    long startsAt,
    long endsAt,
    long windowEnd,
    String summary,
    String description,
    String sourceIp,
    String kind,
    String explanation,
    Map<String, String> labels,
    Map<String, String> annotations,
    boolean flapping,
    boolean silent)
    implements CborSerializable {

  public Alert {
    labels = labels == null ? Map.of() : labels;
    annotations = annotations == null ? Map.of() : annotations;
  }

  /** An alert that is not flapping and is to be notified. */
  public Alert(
      String fingerprint,
      AlertStatus status,
      String ruleId,
      String service,
      String endpoint,
      String metric,
      String comparison,
      double threshold,
      double value,
      Severity severity,
      long startsAt,
      long endsAt,
      long windowEnd,
      String summary,
      String description,
      String sourceIp,
      String kind,
      String explanation,
      Map<String, String> labels,
      Map<String, String> annotations) {
    this(
        fingerprint,
        status,
        ruleId,
        service,
        endpoint,
        metric,
        comparison,
        threshold,
        value,
        severity,
        startsAt,
        endsAt,
        windowEnd,
        summary,
        description,
        sourceIp,
        kind,
        explanation,
        labels,
        annotations,
        false,
        false);
  }

  /**
   * This alert as one change of a flapping series (its rule's {@link
   * io.autoglm.monitor.protocols.rule.Filters flapping} filter): marked so, and with {@code silent}
   * not sent to receivers (a change after the one that was notified as flapping).
   */
  public Alert flapping(boolean silent) {
    return marked(summary.endsWith(FLAPPING) ? summary : summary + FLAPPING, true, silent);
  }

  /** The state a flapping series settled in, to be notified: no longer flapping. */
  public Alert settled() {
    return marked(
        summary.endsWith(FLAPPING)
            ? summary.substring(0, summary.length() - FLAPPING.length())
            : summary,
        false,
        false);
  }

  private Alert marked(String newSummary, boolean isFlapping, boolean isSilent) {
    return new Alert(
        fingerprint,
        status,
        ruleId,
        service,
        endpoint,
        metric,
        comparison,
        threshold,
        value,
        severity,
        startsAt,
        endsAt,
        windowEnd,
        newSummary,
        description,
        sourceIp,
        kind,
        explanation,
        labels,
        annotations,
        isFlapping,
        isSilent);
  }

  private static final String FLAPPING = " (flapping)";

  /** An alert of a threshold rule without labels (alerts stored before rule kinds existed). */
  public Alert(
      String fingerprint,
      AlertStatus status,
      String ruleId,
      String service,
      String endpoint,
      String metric,
      String comparison,
      double threshold,
      double value,
      Severity severity,
      long startsAt,
      long endsAt,
      long windowEnd,
      String summary,
      String description,
      String sourceIp) {
    this(
        fingerprint,
        status,
        ruleId,
        service,
        endpoint,
        metric,
        comparison,
        threshold,
        value,
        severity,
        startsAt,
        endsAt,
        windowEnd,
        summary,
        description,
        sourceIp,
        null,
        null,
        Map.of(),
        Map.of());
  }

  /**
   * The firing alert of any kind of rule on an endpoint ({@code sourceIp} null) or a source IP
   * ({@code endpoint} {@code *}).
   *
   * @param limit the level the value passed: a threshold rule's threshold, the edge of a band
   * @param explanation why it fires, e.g. {@code error_rate 0.31 is 9.4σ above the 1h baseline
   *     0.012 ± 0.032}
   */
  public static Alert firing(
      ThresholdRule rule,
      String service,
      String endpoint,
      String sourceIp,
      double value,
      double limit,
      Severity severity,
      String explanation,
      long startsAt,
      long windowEnd) {
    String subject = sourceIp != null ? sourceIp : endpoint;
    return new Alert(
        fingerprint(rule.id(), service, sourceIp != null ? "ip:" + sourceIp : endpoint),
        AlertStatus.FIRING,
        rule.id(),
        service,
        endpoint,
        rule.metric().wireName(),
        rule.comparison().symbol(),
        limit,
        value,
        severity,
        startsAt,
        0L,
        windowEnd,
        explanation != null
            ? summary(AlertStatus.FIRING, severity, service, subject, explanation)
            : summary(
                AlertStatus.FIRING,
                severity,
                service,
                subject,
                rule.metric().wireName(),
                rule.comparison().symbol(),
                limit,
                value),
        rule.description(),
        sourceIp,
        rule.kind().wireName(),
        explanation,
        rule.labels(),
        rule.annotations());
  }

  /** The alert of a threshold rule on source IPs: {@code ip} of {@code service}. */
  public static Alert firingForIp(
      ThresholdRule rule, String service, String ip, double value, long startsAt, long windowEnd) {
    return firing(
        rule,
        service,
        "*",
        ip,
        value,
        rule.threshold(),
        rule.severity(),
        null,
        startsAt,
        windowEnd);
  }

  /** The alert of a threshold rule on an endpoint. */
  public static Alert firing(
      ThresholdRule rule,
      String service,
      String endpoint,
      double value,
      long startsAt,
      long windowEnd) {
    return firing(
        rule,
        service,
        endpoint,
        null,
        value,
        rule.threshold(),
        rule.severity(),
        null,
        startsAt,
        windowEnd);
  }

  /**
   * The same alert, resolved: {@code lastValue} is the value in the window that no longer breached.
   */
  public Alert resolved(double lastValue, long resolvedAt, long resolvedWindowEnd) {
    String subject = sourceIp != null ? sourceIp : endpoint;
    return new Alert(
        fingerprint,
        AlertStatus.RESOLVED,
        ruleId,
        service,
        endpoint,
        metric,
        comparison,
        threshold,
        lastValue,
        severity,
        startsAt,
        resolvedAt,
        resolvedWindowEnd,
        explanation != null
            ? summary(
                AlertStatus.RESOLVED,
                severity,
                service,
                subject,
                metric + " back to " + formatValue(lastValue))
            : summary(
                AlertStatus.RESOLVED,
                severity,
                service,
                subject,
                metric,
                comparison,
                threshold,
                lastValue),
        description,
        sourceIp,
        kind,
        explanation,
        labels,
        annotations);
  }

  /**
   * e.g. {@code CRITICAL on /v1/chat/completions: error_rate = 0.3222 (> 0.15)}; resolved ones say
   * so.
   */
  private static String summary(
      AlertStatus status,
      Severity severity,
      String service,
      String endpoint,
      String metric,
      String comparison,
      double threshold,
      double value) {
    return String.format(
        "%s%s on %s%s: %s = %s (%s %s)",
        status == AlertStatus.RESOLVED ? "RESOLVED " : "",
        severity.wireName().toUpperCase(),
        service.equals("default") ? "" : service + " ",
        endpoint,
        metric,
        formatValue(value),
        comparison,
        formatValue(threshold));
  }

  /** e.g. {@code WARNING on /v1/chat/completions: error_rate 0.31 is 9.4σ above ...}. */
  private static String summary(
      AlertStatus status, Severity severity, String service, String subject, String what) {
    return (status == AlertStatus.RESOLVED ? "RESOLVED " : "")
        + severity.wireName().toUpperCase(Locale.ROOT)
        + " on "
        + (service.equals("default") ? "" : service + " ")
        + subject
        + ": "
        + what;
  }

  public boolean isFiring() {
    return status == AlertStatus.FIRING;
  }

  public static String fingerprint(String ruleId, String service, String endpoint) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest =
          sha.digest((ruleId + '\0' + service + '\0' + endpoint).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  /** A value as summaries and messages show it: whole numbers as they are, else 4 or 1 decimals. */
  public static String formatValue(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString((long) v);
    }
    return Math.abs(v) < 10
        ? String.format(Locale.ROOT, "%.4f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }
}
