package io.autoglm.monitor.notifier.channel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Instant;
import java.util.Locale;

/**
 * The Alertmanager webhook payload (version 4), so any receiver written for Alertmanager (and tools
 * that speak its format) accepts our alerts unchanged. One alert per message.
 */
public final class AlertmanagerPayload {
  /** Alertmanager's "zero time" for a firing alert's endsAt. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AlertmanagerPayload() {}

  public static ObjectNode of(Alert alert, String receiver, String externalUrl) {
    ObjectNode labels = MAPPER.createObjectNode();
    labels.put("alertname", alert.ruleId());
    labels.put("severity", alert.severity().wireName());
    labels.put("service", alert.service());
    labels.put("endpoint", alert.endpoint());
    labels.put("metric", alert.metric());

    ObjectNode annotations = MAPPER.createObjectNode();
    annotations.put("summary", alert.summary());
    annotations.put("description", alert.description());
    annotations.put("value", formatDouble(alert.value()));
    annotations.put("threshold", alert.comparison() + " " + formatDouble(alert.threshold()));

    ObjectNode a = MAPPER.createObjectNode();
    a.put("status", alert.status().wireName());
    a.set("labels", labels);
    a.set("annotations", annotations);
    a.put("startsAt", Instant.ofEpochMilli(alert.startsAt()).toString());
    a.put("endsAt", alert.isFiring() ? ZERO_TIME : Instant.ofEpochMilli(alert.endsAt()).toString());
    a.put("generatorURL", externalUrl + "/api/v1/alerts");
    a.put("fingerprint", alert.fingerprint());

    ObjectNode groupLabels = MAPPER.createObjectNode();
    groupLabels.put("alertname", alert.ruleId());

    ObjectNode payload = MAPPER.createObjectNode();
    payload.put("version", "4");
    payload.put("groupKey", "{}:{alertname=\"" + alert.ruleId() + "\"}");
    payload.put("truncatedAlerts", 0);
    payload.put("status", alert.status().wireName());
    payload.put("receiver", receiver);
    payload.set("groupLabels", groupLabels);
    payload.set("commonLabels", labels.deepCopy());
    payload.set("commonAnnotations", annotations.deepCopy());
    payload.put("externalURL", externalUrl);
    ArrayNode alerts = payload.putArray("alerts");
    alerts.add(a);
    return payload;
  }

  public static byte[] toBytes(ObjectNode payload) {
    try {
      return MAPPER.writeValueAsBytes(payload);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /** A key that is the same for every retry of one delivery, for receivers that de-duplicate. */
  public static String idempotencyKey(Alert alert) {
    return alert.fingerprint() + "-" + alert.startsAt() + "-" + alert.status().wireName();
  }

  private static String formatDouble(double v) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6g", v);
  }
}
