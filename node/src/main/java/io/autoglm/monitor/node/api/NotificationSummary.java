package io.autoglm.monitor.node.api;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/notifications/summary}: over {@code [from, to)}, the audit rows by status, the
 * alert changes notified (or suppressed) per minute (minutes with none are left out), and the five
 * most frequent error types of failed attempts and the five receivers that failed most.
 *
 * @param truncated the range held more rows than one summary reads: the figures cover its start
 */
public record NotificationSummary(
    Instant from,
    Instant to,
    Totals totals,
    List<Minute> alertsPerMinute,
    List<ErrorType> topErrorTypes,
    List<FailingReceiver> topFailingReceivers,
    boolean truncated) {

  public record Totals(int delivered, int failed, int failovers, int suppressed) {}

  public record Minute(Instant minute, int alerts) {}

  public record ErrorType(String type, int count) {}

  public record FailingReceiver(String receiver, int failures) {}
}
