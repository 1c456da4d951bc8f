package io.autoglm.monitor.node.api;

import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditRow;
import java.time.Instant;

/**
 * One row of the notification audit: an attempt on a receiver's channel ({@code delivered} or
 * {@code failed}, with its attempt number, latency and error), a {@code failover} (the error says
 * why, and which receiver is next) or a change {@code suppressed} (the error says why). The
 * idempotency key and the fingerprint trace the alert.
 */
public record NotificationView(
    Instant at,
    String id,
    String status,
    String receiver,
    String channel,
    int attempt,
    long latencyMs,
    String error,
    String idempotencyKey,
    String fingerprint,
    String rule,
    String summary) {

  static NotificationView of(AuditRow r) {
    return new NotificationView(
        r.at(),
        r.id().toString(),
        r.status().wireName(),
        r.receiver(),
        r.channel(),
        r.attempt(),
        r.latencyMs(),
        r.error(),
        r.changeKey(),
        r.fingerprint(),
        r.rule(),
        r.summary());
  }
}
