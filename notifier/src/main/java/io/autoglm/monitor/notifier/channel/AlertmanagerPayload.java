package io.autoglm.monitor.notifier.channel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.autoglm.monitor.notifier.deliver.Notification;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The Alertmanager webhook payload (version 4), so any receiver written for Alertmanager (and tools
 * that speak its format) accepts our alerts unchanged: one alert change per message, or the alerts
 * of an aggregation group (a route with {@code group_by}) due together. As Alertmanager's, {@code
 * commonLabels} and {@code commonAnnotations} hold what every alert of the message shares (a
 * label's value that differs between them is null).
 */
public record AlertmanagerPayload(
    String version,
    String groupKey,
    int truncatedAlerts,
    String status,
    String receiver,
    Map<String, String> groupLabels,
    Labels commonLabels,
    Annotations commonAnnotations,
    @JsonProperty("externalURL") String externalUrl,
    List<AlertmanagerAlert> alerts) {

  /** Alertmanager's "zero time" for a firing alert's endsAt. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private static final Instant ZERO = Instant.parse(ZERO_TIME);

  /**
   * The labels of an alert; {@code alertname} is the rule's id; {@code src_ip} only for an alert on
   * a source IP.
   */
  public record Labels(
      String alertname,
      String severity,
      String service,
      String endpoint,
      String metric,
      @JsonProperty("src_ip") @JsonInclude(JsonInclude.Include.NON_NULL) String srcIp) {}

  /**
   * What the alert says, numbers as text (Alertmanager annotations are strings); {@code flapping}
   * is {@code "true"} for an alert that changes state too often (notified once until it settles).
   */
  public record Annotations(
      String summary,
      String description,
      String value,
      String threshold,
      @JsonInclude(JsonInclude.Include.NON_NULL) String explanation,
      @JsonInclude(JsonInclude.Include.NON_NULL) String flapping) {}

  /**
   * One alert of the payload.
   *
   * @param endsAt {@link #ZERO_TIME} while firing
   */
  public record AlertmanagerAlert(
      String status,
      Labels labels,
      Annotations annotations,
      Instant startsAt,
      Instant endsAt,
      @JsonProperty("generatorURL") String generatorUrl,
      String fingerprint) {}

  public static AlertmanagerPayload of(Alert alert, String receiver, String externalUrl) {
    return of(Notification.of(alert), receiver, externalUrl);
  }

  /** {@code n}'s payload: its alerts, its group's key and labels, what they share. */
  public static AlertmanagerPayload of(Notification n, String receiver, String externalUrl) {
    List<AlertmanagerAlert> alerts = new ArrayList<>();
    for (Alert alert : n.alerts()) {
      alerts.add(alertOf(alert, externalUrl));
    }
    Labels common = alerts.get(0).labels();
    Annotations commonAnnotations = alerts.get(0).annotations();
    for (AlertmanagerAlert a : alerts) {
      common = common(common, a.labels());
      commonAnnotations = common(commonAnnotations, a.annotations());
    }
    return new AlertmanagerPayload(
        "4",
        n.groupKey(),
        0,
        n.anyFiring() ? "firing" : "resolved",
        receiver,
        new TreeMap<>(n.groupLabels()),
        common,
        commonAnnotations,
        externalUrl,
        List.copyOf(alerts));
  }

  /** The group key of an alert sent on its own. */
  public static String singleGroupKey(Alert alert) {
    return "{}:{alertname=\"" + alert.ruleId() + "\"}";
  }

  private static Labels common(Labels a, Labels b) {
    return new Labels(
        same(a.alertname(), b.alertname()),
        same(a.severity(), b.severity()),
        same(a.service(), b.service()),
        same(a.endpoint(), b.endpoint()),
        same(a.metric(), b.metric()),
        same(a.srcIp(), b.srcIp()));
  }

  private static Annotations common(Annotations a, Annotations b) {
    return new Annotations(
        same(a.summary(), b.summary()),
        same(a.description(), b.description()),
        same(a.value(), b.value()),
        same(a.threshold(), b.threshold()),
        same(a.explanation(), b.explanation()),
        same(a.flapping(), b.flapping()));
  }

  private static String same(String a, String b) {
    return Objects.equals(a, b) ? a : null;
  }

  private static AlertmanagerAlert alertOf(Alert alert, String externalUrl) {
    Labels labels =
        new Labels(
            alert.ruleId(),
            alert.severity().wireName(),
            alert.service(),
            alert.endpoint(),
            alert.metric(),
            alert.sourceIp());
    Annotations annotations =
        new Annotations(
            alert.summary(),
            alert.description(),
            formatDouble(alert.value()),
            alert.comparison() + " " + formatDouble(alert.threshold()),
            alert.explanation(),
            alert.flapping() ? "true" : null);
    return new AlertmanagerAlert(
        alert.status().wireName(),
        labels,
        annotations,
        Instant.ofEpochMilli(alert.startsAt()),
        alert.isFiring() ? ZERO : Instant.ofEpochMilli(alert.endsAt()),
        externalUrl + "/api/v1/alerts",
        alert.fingerprint());
  }

  public static byte[] toBytes(AlertmanagerPayload payload) {
    return Json.toBytes(payload);
  }

  /** A key that is the same for every retry of one delivery, for receivers that de-duplicate. */
  public static String idempotencyKey(Alert alert) {
    return alert.fingerprint() + "-" + alert.startsAt() + "-" + alert.status().wireName();
  }

  private static String formatDouble(double v) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6g", v);
  }
}
