package io.autoglm.monitor.node.api;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import io.autoglm.monitor.notifier.outbox.ErrorTypes;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditCursor;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditRow;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.AuditStatus;
import io.autoglm.monitor.sharding.NodeClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The notification audit, from {@code notifier_audit}:
 *
 * <ul>
 *   <li>{@code GET /api/v1/notifications?from=&to=&status=&receiver=&limit=&after=}: attempts,
 *       failovers and suppressions, oldest first, a page at a time ({@link NotificationList}; its
 *       {@code next} is the {@code after} of the next page);
 *   <li>{@code GET /api/v1/notifications/summary?from=&to=}: alert changes per minute, and the top
 *       5 error types and failing receivers ({@link NotificationSummary}).
 * </ul>
 *
 * {@code from}/{@code to} are ISO-8601 instants or epoch milliseconds (the last hour by default); a
 * bad parameter is a 400 naming it. What one request reads is bounded: the list reads at most
 * {@link #MAX_SCANNED} rows per page, the summary at most {@link #MAX_SUMMARY_ROWS} (then it says
 * {@code truncated}).
 */
public final class NotificationRoutes extends AllDirectives {
  static final long MAX_LIST_RANGE_MS = 31L * 86_400_000;
  static final long MAX_SUMMARY_RANGE_MS = 86_400_000;
  static final int MAX_LIMIT = 1_000;
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_SCANNED = 20_000;
  static final int MAX_SUMMARY_ROWS = 200_000;
  private static final int MAX_RECEIVER_CHARS = 200;
  private static final Set<String> LIST_PARAMETERS =
      Set.of("from", "to", "status", "receiver", "limit", "after");
  private static final Set<String> SUMMARY_PARAMETERS = Set.of("from", "to");

  private final NotifierStore store;
  private final NodeClock clock;

  public NotificationRoutes(NotifierStore store, NodeClock clock) {
    this.store = store;
    this.clock = clock;
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("notifications"),
        () ->
            get(
                () ->
                    parameterMap(
                        params ->
                            concat(
                                pathEnd(() -> guarded(() -> list(params))),
                                path("summary", () -> guarded(() -> summary(params)))))));
  }

  private Route guarded(java.util.function.Supplier<Route> route) {
    try {
      return route.get();
    } catch (Series.InvalidParameter e) {
      return complete(
          json(
              StatusCodes.BAD_REQUEST,
              ErrorBody.ofField(e.getMessage(), e.parameter(), e.reason())));
    }
  }

  private Route list(Map<String, String> params) {
    only(params, LIST_PARAMETERS);
    long[] range = range(params, MAX_LIST_RANGE_MS);
    Optional<AuditStatus> status = Optional.ofNullable(params.get("status")).map(this::status);
    Optional<String> receiver = Optional.ofNullable(params.get("receiver"));
    if (receiver.isPresent()
        && (receiver.get().isEmpty() || receiver.get().length() > MAX_RECEIVER_CHARS)) {
      throw bad(
          "receiver", "must be a receiver's name, 1 to " + MAX_RECEIVER_CHARS + " characters");
    }
    int limit = limit(params.get("limit"));
    Optional<AuditCursor> after = Optional.ofNullable(params.get("after")).map(this::cursor);
    Predicate<AuditRow> keep =
        r ->
            status.map(s -> s == r.status()).orElse(true)
                && receiver.map(n -> n.equals(r.receiver())).orElse(true);
    return onSuccess(
        store.auditBetween(range[0], range[1], after, keep, limit, MAX_SCANNED),
        scan ->
            complete(
                JsonSupport.ok(
                    new NotificationList(
                        scan.rows().stream().map(NotificationView::of).toList(),
                        scan.next().map(NotificationRoutes::cursorText).orElse(null)))));
  }

  private Route summary(Map<String, String> params) {
    only(params, SUMMARY_PARAMETERS);
    long[] range = range(params, MAX_SUMMARY_RANGE_MS);
    return onSuccess(
        store.auditBetween(
            range[0], range[1], Optional.empty(), r -> true, MAX_SUMMARY_ROWS, MAX_SUMMARY_ROWS),
        scan -> complete(JsonSupport.ok(summarize(range, scan.rows(), scan.next().isPresent()))));
  }

  static NotificationSummary summarize(long[] range, List<AuditRow> rows, boolean truncated) {
    // a change counts in the minute of its first row: its retries may run into the next minute
    Map<String, Long> firstMinuteOf = new HashMap<>();
    Map<String, Integer> errorTypes = new HashMap<>();
    Map<String, Integer> failingReceivers = new HashMap<>();
    Map<AuditStatus, Integer> byStatus = new HashMap<>();
    for (AuditRow r : rows) {
      long minute = Math.floorDiv(r.at().toEpochMilli(), 60_000L) * 60_000L;
      if (r.changeKey() != null) {
        firstMinuteOf.merge(r.changeKey(), minute, Math::min);
      }
      byStatus.merge(r.status(), 1, Integer::sum);
      if (r.status() == AuditStatus.FAILED) {
        errorTypes.merge(ErrorTypes.of(r.error()), 1, Integer::sum);
        if (r.receiver() != null) {
          failingReceivers.merge(r.receiver(), 1, Integer::sum);
        }
      }
    }
    Map<Long, Integer> changesByMinute = new TreeMap<>();
    firstMinuteOf.values().forEach(m -> changesByMinute.merge(m, 1, Integer::sum));
    List<NotificationSummary.Minute> minutes = new ArrayList<>();
    changesByMinute.forEach(
        (m, changes) ->
            minutes.add(new NotificationSummary.Minute(Instant.ofEpochMilli(m), changes)));
    return new NotificationSummary(
        Instant.ofEpochMilli(range[0]),
        Instant.ofEpochMilli(range[1]),
        new NotificationSummary.Totals(
            byStatus.getOrDefault(AuditStatus.DELIVERED, 0),
            byStatus.getOrDefault(AuditStatus.FAILED, 0),
            byStatus.getOrDefault(AuditStatus.FAILOVER, 0),
            byStatus.getOrDefault(AuditStatus.SUPPRESSED, 0)),
        minutes,
        top(errorTypes).stream()
            .map(e -> new NotificationSummary.ErrorType(e.getKey(), e.getValue()))
            .toList(),
        top(failingReceivers).stream()
            .map(e -> new NotificationSummary.FailingReceiver(e.getKey(), e.getValue()))
            .toList(),
        truncated);
  }

  /** The five largest counts, largest first (ties by name). */
  private static List<Map.Entry<String, Integer>> top(Map<String, Integer> counts) {
    return counts.entrySet().stream()
        .sorted(
            Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                .reversed()
                .thenComparing(Map.Entry::getKey))
        .limit(5)
        .toList();
  }

  private static void only(Map<String, String> params, Set<String> known) {
    for (String name : params.keySet()) {
      if (!known.contains(name)) {
        throw bad(name, "is not a parameter here; expected: " + new java.util.TreeSet<>(known));
      }
    }
  }

  /** {@code [from, to)} in epoch ms: the last hour by default, at most {@code maxRangeMs}. */
  private long[] range(Map<String, String> params, long maxRangeMs) {
    long to =
        Optional.ofNullable(params.get("to"))
            .map(t -> Series.Query.time("to", t))
            .orElse(clock.wallMillis());
    long from =
        Optional.ofNullable(params.get("from"))
            .map(f -> Series.Query.time("from", f))
            .orElse(to - 3_600_000);
    if (from >= to) {
      throw bad("from", "must be before 'to'");
    }
    if (to - from > maxRangeMs) {
      throw bad("from", "the range may span at most " + maxRangeMs / 3_600_000 + " hours");
    }
    return new long[] {from, to};
  }

  private AuditStatus status(String text) {
    for (AuditStatus s : AuditStatus.values()) {
      if (s.wireName().equals(text.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw bad("status", "must be one of delivered, failed, failover, suppressed");
  }

  private static int limit(String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(text.trim());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw bad("limit", "must be a whole number from 1 to " + MAX_LIMIT);
  }

  private AuditCursor cursor(String text) {
    int tilde = text.indexOf('~');
    try {
      if (tilde > 0 && tilde <= 15) {
        return new AuditCursor(
            Instant.ofEpochMilli(Long.parseLong(text.substring(0, tilde))),
            UUID.fromString(text.substring(tilde + 1)));
      }
    } catch (IllegalArgumentException e) {
      // below
    }
    throw bad("after", "must be the 'next' of an earlier answer");
  }

  static String cursorText(AuditCursor c) {
    return c.at().toEpochMilli() + "~" + c.id();
  }

  private static Series.InvalidParameter bad(String parameter, String reason) {
    return (Series.InvalidParameter) Series.Query.bad(parameter, reason);
  }
}
