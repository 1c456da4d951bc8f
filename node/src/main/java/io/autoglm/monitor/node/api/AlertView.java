package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Instant;
import java.util.Map;

/**
 * An alert as the API shows it ({@code GET /api/v1/alerts}, the WebSocket feed, an endpoint's
 * stats).
 *
 * @param status {@code firing} or {@code resolved}
 * @param rule the rule's id
 * @param endsAt null while firing
 * @param windowEnd end of the window whose value caused this transition
 * @param sourceIp the source IP of an alert of a rule on source IPs; left out otherwise
 * @param kind the rule's kind ({@code threshold}, {@code baseline}, {@code change}, ...); left out
 *     for alerts stored before kinds existed
 * @param explanation why it fired, with the evidence; left out for threshold rules (the summary
 *     says it)
 * @param labels the rule's labels, annotations its annotations; left out when it has none
 * @param flapping true for an alert that changes state too often (notified once, then {@code
 *     silent}: shown here, not sent to receivers, until it settles); left out otherwise
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
    @JsonInclude(JsonInclude.Include.NON_NULL) String sourceIp,
    @JsonInclude(JsonInclude.Include.NON_NULL) String kind,
    @JsonInclude(JsonInclude.Include.NON_NULL) String explanation,
    @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> labels,
    @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> annotations,
    @JsonInclude(JsonInclude.Include.NON_NULL) Boolean flapping,
    @JsonInclude(JsonInclude.Include.NON_NULL) Boolean silent) {

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
        a.sourceIp(),
        a.kind(),
        a.explanation(),
        a.labels().isEmpty() ? null : a.labels(),
        a.annotations().isEmpty() ? null : a.annotations(),
        a.flapping() ? Boolean.TRUE : null,
        a.silent() ? Boolean.TRUE : null);
  }
}
