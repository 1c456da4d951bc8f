package io.autoglm.monitor.protocols.alert;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

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
    String sourceIp)
    implements CborSerializable {

  /** The alert of a rule on source IPs: {@code ip} of {@code service}, over all its endpoints. */
  public static Alert firingForIp(
      ThresholdRule rule, String service, String ip, double value, long startsAt, long windowEnd) {
    Alert a = firing(rule, service, "*", value, startsAt, windowEnd);
    return new Alert(
        fingerprint(rule.id(), service, "ip:" + ip),
        a.status,
        a.ruleId,
        a.service,
        a.endpoint,
        a.metric,
        a.comparison,
        a.threshold,
        a.value,
        a.severity,
        a.startsAt,
        a.endsAt,
        a.windowEnd,
        summary(
            AlertStatus.FIRING,
            rule.severity(),
            service,
            ip,
            a.metric,
            a.comparison,
            a.threshold,
            value),
        a.description,
        ip);
  }

  public static Alert firing(
      ThresholdRule rule,
      String service,
      String endpoint,
      double value,
      long startsAt,
      long windowEnd) {
    String metric = rule.metric().wireName();
    String comparison = rule.comparison().symbol();
    return new Alert(
        fingerprint(rule.id(), service, endpoint),
        AlertStatus.FIRING,
        rule.id(),
        service,
        endpoint,
        metric,
        comparison,
        rule.threshold(),
        value,
        rule.severity(),
        startsAt,
        0L,
        windowEnd,
        summary(
            AlertStatus.FIRING,
            rule.severity(),
            service,
            endpoint,
            metric,
            comparison,
            rule.threshold(),
            value),
        rule.description(),
        null);
  }

  /**
   * The same alert, resolved: {@code lastValue} is the value in the window that no longer breached.
   */
  public Alert resolved(double lastValue, long resolvedAt, long resolvedWindowEnd) {
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
        summary(
            AlertStatus.RESOLVED,
            severity,
            service,
            sourceIp != null ? sourceIp : endpoint,
            metric,
            comparison,
            threshold,
            lastValue),
        description,
        sourceIp);
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

  private static String formatValue(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString((long) v);
    }
    return Math.abs(v) < 10
        ? String.format(Locale.ROOT, "%.4f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }
}
