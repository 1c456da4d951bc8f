package io.autoglm.monitor.notifier.channel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The Alertmanager webhook payload (version 4), so any receiver written for Alertmanager (and tools
 * that speak its format) accepts our alerts unchanged. One alert per message.
 */
public record AlertmanagerPayload(
    String version,
    String groupKey,
    int truncatedAlerts,
    String status,
    String receiver,
    GroupLabels groupLabels,
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

  public record GroupLabels(String alertname) {}

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
    AlertmanagerAlert a =
        new AlertmanagerAlert(
            alert.status().wireName(),
            labels,
            annotations,
            Instant.ofEpochMilli(alert.startsAt()),
            alert.isFiring() ? ZERO : Instant.ofEpochMilli(alert.endsAt()),
            externalUrl + "/api/v1/alerts",
            alert.fingerprint());
    return new AlertmanagerPayload(
        "4",
        "{}:{alertname=\"" + alert.ruleId() + "\"}",
        0,
        alert.status().wireName(),
        receiver,
        new GroupLabels(alert.ruleId()),
        labels,
        annotations,
        externalUrl,
        List.of(a));
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
