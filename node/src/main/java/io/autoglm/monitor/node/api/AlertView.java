package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Instant;

/**
 * An alert as the API shows it ({@code GET /api/v1/alerts}, the WebSocket feed, an endpoint's
 * stats).
 *
 * @param status {@code firing} or {@code resolved}
 * @param rule the rule's id
 * @param endsAt null while firing
 * @param windowEnd end of the window whose value caused this transition
 * @param sourceIp the source IP of an alert of a rule on source IPs; left out otherwise
 */
public record AlertView(
    String fingerprint,
    String status,
    String rule,
    String severity,
    String service,
    String endpoint,
    String metric,
    String comparison,
    double threshold,
    double value,
    Instant startsAt,
    Instant endsAt,
    Instant windowEnd,
    String summary,
    String description,
    @JsonInclude(JsonInclude.Include.NON_NULL) String sourceIp) {

  public static AlertView of(Alert a) {
    return new AlertView(
        a.fingerprint(),
        a.status().wireName(),
        a.ruleId(),
        a.severity().wireName(),
        a.service(),
        a.endpoint(),
        a.metric(),
        a.comparison(),
        a.threshold(),
        a.value(),
        Instant.ofEpochMilli(a.startsAt()),
        a.isFiring() ? null : Instant.ofEpochMilli(a.endsAt()),
        Instant.ofEpochMilli(a.windowEnd()),
        a.summary(),
        a.description(),
        a.sourceIp());
  }
}
