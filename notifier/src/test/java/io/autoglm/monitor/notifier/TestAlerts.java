package io.autoglm.monitor.notifier;

import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import io.autoglm.monitor.protocols.rule.Severity;
import java.util.Map;

/** The alert the notifier's tests send: chat errors, critical, firing since 2026-01-01T00:00Z. */
public final class TestAlerts {
  private TestAlerts() {}

  public static final String SUMMARY =
      "CRITICAL on /v1/chat/completions: error_rate = 0.3222 (> 0.1500)";

  /** Firing, a threshold rule's, with no explanation or labels. */
  public static final Alert FIRING = firing(null, Map.of());

  /** {@link #FIRING}'s rule on endpoint {@code /v1/e<i>}, fingerprint {@code fp-<i>}. */
  public static Alert onEndpoint(int i) {
    Alert a = FIRING;
    return new Alert(
        "fp-" + i,
        AlertStatus.FIRING,
        a.ruleId(),
        a.service(),
        "/v1/e" + i,
        a.metric(),
        a.comparison(),
        a.threshold(),
        a.value(),
        a.severity(),
        a.startsAt(),
        0,
        a.windowEnd(),
        a.summary(),
        a.description(),
        null);
  }

  /** Firing, with the given explanation and rule labels. */
  public static Alert firing(String explanation, Map<String, String> labels) {
    return new Alert(
        "f1",
        AlertStatus.FIRING,
        "chat-errors",
        "default",
        "/v1/chat/completions",
        "error_rate",
        ">",
        0.15,
        0.3222,
        Severity.CRITICAL,
        1_767_225_600_000L,
        0L,
        1_767_225_610_000L,
        SUMMARY,
        "chat fails",
        null,
        explanation == null ? null : "baseline",
        explanation,
        labels,
        Map.of(),
        false,
        false);
  }
}
