package io.autoglm.monitor.notifier.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AlertmanagerPayloadTest {
  private static final Alert FIRING = TestAlerts.FIRING;

  private static final String LABELS =
      "{\"alertname\":\"chat-errors\",\"severity\":\"critical\",\"service\":\"default\","
          + "\"endpoint\":\"/v1/chat/completions\",\"metric\":\"error_rate\"}";
  private static final String ANNOTATIONS =
      "{\"summary\":\"CRITICAL on /v1/chat/completions: error_rate = 0.3222 (> 0.1500)\","
          + "\"description\":\"chat fails\",\"value\":\"0.322200\",\"threshold\":\"> 0.150000\"}";

  @Test
  void aFiringAlertIsAlertmanagersVersion4PayloadWithTheZeroTimeAsEnd() throws Exception {
    AlertmanagerPayload payload = AlertmanagerPayload.of(FIRING, "webhook", "http://node:8080");
    assertEquals(
        "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"chat-errors\\\"}\",\"truncatedAlerts\":0,"
            + "\"status\":\"firing\",\"receiver\":\"webhook\","
            + "\"groupLabels\":{\"alertname\":\"chat-errors\"},"
            + "\"commonLabels\":"
            + LABELS
            + ",\"commonAnnotations\":"
            + ANNOTATIONS
            + ",\"externalURL\":\"http://node:8080\",\"alerts\":[{\"status\":\"firing\",\"labels\":"
            + LABELS
            + ",\"annotations\":"
            + ANNOTATIONS
            + ",\"startsAt\":\"2026-01-01T00:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
            + "\"generatorURL\":\"http://node:8080/api/v1/alerts\",\"fingerprint\":\"f1\"}]}",
        new String(AlertmanagerPayload.toBytes(payload), StandardCharsets.UTF_8));
    assertEquals(
        payload,
        Json.readerFor(AlertmanagerPayload.class).readValue(AlertmanagerPayload.toBytes(payload)));
  }

  @Test
  void aResolvedAlertEndsWhenItResolved() throws Exception {
    AlertmanagerPayload payload =
        AlertmanagerPayload.of(
            FIRING.resolved(0.01, 1_767_225_640_000L, 1_767_225_640_000L), "webhook", "http://n");
    assertEquals("resolved", payload.status());
    String json = new String(AlertmanagerPayload.toBytes(payload), StandardCharsets.UTF_8);
    assertEquals(
        "2026-01-01T00:00:40Z",
        Json.mapper().readTree(json).get("alerts").get(0).get("endsAt").asText(),
        json);
    assertEquals(
        payload,
        Json.readerFor(AlertmanagerPayload.class).readValue(AlertmanagerPayload.toBytes(payload)));
  }
}
