package io.autoglm.monitor.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditRow;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/notifications/summary}'s figures from audit rows. */
class NotificationSummaryTest {

  private static AuditRow row(String at, String changeKey, int attempt, AuditStatus status) {
    return new AuditRow(
        Instant.parse(at),
        UUID.randomUUID(),
        changeKey,
        "fp",
        "rule",
        "summary",
        "primary",
        "webhook",
        attempt,
        status,
        5,
        status == AuditStatus.FAILED ? "HTTP 500" : null);
  }

  @Test
  void aChangeWhoseRetriesRunIntoTheNextMinuteCountsOnceInTheMinuteItStarted() {
    List<AuditRow> rows =
        List.of(
            row("2026-12-03T13:43:59.40Z", "a-firing", 1, AuditStatus.FAILED),
            row("2026-12-03T13:43:59.77Z", "a-firing", 2, AuditStatus.FAILED),
            row("2026-12-03T13:44:00.19Z", "a-firing", 3, AuditStatus.DELIVERED),
            row("2026-12-03T13:44:01.25Z", "b-firing", 1, AuditStatus.DELIVERED));
    long from = Instant.parse("2026-12-03T13:43:00Z").toEpochMilli();
    long to = Instant.parse("2026-12-03T13:45:00Z").toEpochMilli();

    NotificationSummary s = NotificationRoutes.summarize(new long[] {from, to}, rows, false);

    assertEquals(
        List.of(
            new NotificationSummary.Minute(Instant.parse("2026-12-03T13:43:00Z"), 1),
            new NotificationSummary.Minute(Instant.parse("2026-12-03T13:44:00Z"), 1)),
        s.alertsPerMinute());
    assertEquals(2, s.totals().delivered());
    assertEquals(2, s.totals().failed());
  }
}
