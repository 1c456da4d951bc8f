package io.autoglm.monitor.notifier.outbox;

import io.autoglm.monitor.notifier.deliver.DeliveryWorker;
import io.autoglm.monitor.notifier.deliver.Dispatcher;
import io.autoglm.monitor.notifier.deliver.Notification;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditRow;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditStatus;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notification audit (the article's ELK view): every attempt, failover and suppression is one
 * structured log line on logger {@code io.autoglm.monitor.notifier.audit} (its fields as SLF4J
 * key-value pairs, which the node's logstash encoder writes as JSON fields) and one row of {@code
 * notifier_audit} ({@code GET /api/v1/notifications} reads them). A row that cannot be written is
 * logged, never retried: the audit never holds up a delivery.
 */
public final class NotificationAudit {
  private static final Logger LOG = LoggerFactory.getLogger("io.autoglm.monitor.notifier.audit");

  private final NotifierStore store;

  public NotificationAudit(NotifierStore store) {
    this.store = store;
  }

  /** An attempt on one channel of one receiver, for an alert change (null: not known here). */
  public void attempt(Alert alert, DeliveryWorker.Attempt a) {
    attempt(alert == null ? null : Notification.of(alert), a);
  }

  /** An attempt on one channel of one receiver, for {@code n} (null: not known here). */
  public void attempt(Notification n, DeliveryWorker.Attempt a) {
    record(
        new AuditRow(
            a.at(),
            NotifierStore.newAuditId(),
            a.idempotencyKey(),
            n == null ? null : n.fingerprint(),
            n == null ? null : n.first().ruleId(),
            n == null ? null : n.summary(),
            a.receiver(),
            a.channel(),
            a.attempt(),
            a.delivered() ? AuditStatus.DELIVERED : AuditStatus.FAILED,
            a.latencyMs(),
            a.error()));
  }

  /** A receiver whose channels all failed, and the next one of the chain taking over. */
  public void failover(String key, Dispatcher.Failover f) {
    record(
        new AuditRow(
            Instant.now(),
            NotifierStore.newAuditId(),
            key,
            f.notification().fingerprint(),
            f.notification().first().ruleId(),
            f.notification().summary(),
            f.from(),
            null,
            0,
            AuditStatus.FAILOVER,
            0,
            f.why() + " -> " + f.to()));
  }

  /** A change decided not to be sent, and why. */
  public void suppressed(String key, Alert alert, String why) {
    record(
        new AuditRow(
            Instant.now(),
            NotifierStore.newAuditId(),
            key,
            alert.fingerprint(),
            alert.ruleId(),
            alert.summary(),
            null,
            null,
            0,
            AuditStatus.SUPPRESSED,
            0,
            why));
  }

  private void record(AuditRow r) {
    LOG.atInfo()
        .addKeyValue("audit", "notification")
        .addKeyValue("status", r.status().wireName())
        .addKeyValue("receiver", r.receiver())
        .addKeyValue("channel", r.channel())
        .addKeyValue("attempt", r.attempt())
        .addKeyValue("latency_ms", r.latencyMs())
        .addKeyValue("error", r.error())
        .addKeyValue("idempotency_key", r.changeKey())
        .addKeyValue("fingerprint", r.fingerprint())
        .addKeyValue("rule", r.rule())
        .log(
            "Notification {} {} {}: {}",
            r.status().wireName(),
            r.receiver() == null ? "-" : r.receiver(),
            r.channel() == null ? "-" : r.channel(),
            r.error() == null ? r.summary() : r.error());
    store
        .audit(r)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                LOG.warn("Audit row not written ({}): {}", failure.toString(), r);
              }
            });
  }
}
