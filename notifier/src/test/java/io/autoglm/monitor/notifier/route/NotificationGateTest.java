package io.autoglm.monitor.notifier.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.autoglm.monitor.notifier.route.NotificationGate.Verdict;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotificationGateTest {
  private static final long T0 = 1_780_000_000_000L;
  private static final long MINUTE = 60_000;

  private static ThresholdRule rule(String id, String json) throws Exception {
    return RuleCodec.parse(Json.mapper().readTree(json), id);
  }

  private static Alert firing(ThresholdRule rule, String endpoint, long at) {
    return Alert.firing(rule, "default", endpoint, 0.3, at, at);
  }

  @Test
  void aRulesNotifyLimitHoldsBackFiringAlertsPastItAndTheirResolves() throws Exception {
    ThresholdRule limited =
        rule(
            "errors",
            "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1,"
                + " \"notify_limit\": {\"count\": 2, \"per\": \"1h\"}}");
    NotificationGate gate = new NotificationGate(Map.of("errors", limited.filters())::get);

    Alert a = firing(limited, "/v1/a", T0);
    Alert b = firing(limited, "/v1/b", T0 + MINUTE);
    Alert c = firing(limited, "/v1/c", T0 + 2 * MINUTE);
    assertEquals(Verdict.SEND, gate.admit(a));
    assertEquals(Verdict.SEND, gate.admit(b));
    assertEquals(Verdict.OVER_LIMIT, gate.admit(c), "the third alert of the rule within the hour");
    // raised to critical: the same alert, already notified, goes through
    assertEquals(Verdict.SEND, gate.admit(firing(limited, "/v1/a", T0 + 3 * MINUTE)));
    assertEquals(
        Verdict.NEVER_SENT,
        gate.admit(c.resolved(0.01, T0 + 4 * MINUTE, T0 + 4 * MINUTE)),
        "its resolve is not news to anyone");
    assertEquals(Verdict.SEND, gate.admit(a.resolved(0.01, T0 + 5 * MINUTE, T0 + 5 * MINUTE)));
    // an hour after the first: room for one more
    assertEquals(Verdict.SEND, gate.admit(firing(limited, "/v1/d", T0 + 60 * MINUTE)));
    assertEquals(Verdict.OVER_LIMIT, gate.admit(firing(limited, "/v1/e", T0 + 60 * MINUTE + 1)));
  }

  @Test
  void anAutoRulesSignalsShareItsLimit() throws Exception {
    ThresholdRule auto =
        rule("smart", "{\"kind\": \"auto\", \"notify_limit\": {\"count\": 1, \"per\": \"10m\"}}");
    NotificationGate gate = new NotificationGate(Map.of("smart", auto.filters())::get);
    ThresholdRule errorSignal =
        rule("smart", "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1}");
    Alert errors =
        Alert.firing(
            errorSignal, "default", "/v1/a", null, 0.3, 0.1, errorSignal.severity(), "x", T0, T0);
    assertEquals(Verdict.SEND, gate.admit(withRuleId(errors, "smart/error_rate")));
    assertEquals(
        Verdict.OVER_LIMIT,
        gate.admit(withRuleId(firing(errorSignal, "/v1/b", T0 + 1), "smart/qps_surge")));
  }

  @Test
  void silentChangesOfAFlappingAlertAreNotSentButItsFlappingAndSettledStatesAre() throws Exception {
    ThresholdRule plain =
        rule("errors", "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1}");
    NotificationGate gate = new NotificationGate(id -> null);
    Alert a = firing(plain, "/v1/a", T0);
    assertEquals(Verdict.SEND, gate.admit(a.flapping(false)));
    assertEquals(
        Verdict.SILENT, gate.admit(a.resolved(0, T0 + MINUTE, T0 + MINUTE).flapping(true)));
    assertEquals(Verdict.SILENT, gate.admit(a.flapping(true)));
    assertEquals(Verdict.SEND, gate.admit(a.flapping(true).settled()));
  }

  private static Alert withRuleId(Alert a, String ruleId) {
    return new Alert(
        a.fingerprint() + ruleId,
        a.status(),
        ruleId,
        a.service(),
        a.endpoint(),
        a.metric(),
        a.comparison(),
        a.threshold(),
        a.value(),
        a.severity(),
        a.startsAt(),
        a.endsAt(),
        a.windowEnd(),
        a.summary(),
        a.description(),
        a.sourceIp(),
        a.kind(),
        a.explanation(),
        a.labels(),
        a.annotations());
  }
}
