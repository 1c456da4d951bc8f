package io.autoglm.monitor.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the notifier keeps in Cassandra (tables {@code notifier_offset} and {@code notifier_outbox}
 * of the journal keyspace, created by {@link CassandraSchema}):
 *
 * <ul>
 *   <li>how far it has read the journal's alert events (a tag offset per reader name);
 *   <li>its outbox: for each alert change (by its idempotency key), one row per receiver the
 *       routing chose, written before anything is sent and marked done with the outcome after. A
 *       change the notifier decided not to send (silenced, over its limit, inhibited) has one row,
 *       {@link #NO_RECEIVER}, done at once. Rows expire after {@link #OUTBOX_TTL_SECONDS}.
 * </ul>
 *
 * A change with rows was decided; a row not done is a delivery that may not have happened (the node
 * that was sending it stopped) and is sent again with the same key.
 */
public final class NotifierStore {
  /** Two weeks: longer than the notifier's reading of the journal may lag behind it. */
  public static final int OUTBOX_TTL_SECONDS = 14 * 86_400;

  /** The receiver of the one row of a change that was decided not to be sent. */
  public static final String NO_RECEIVER = "(none)";

  /** One receiver's row of an alert change; {@code doneAt} is null while it is not done. */
  public record OutboxRow(
      String receiver, String summary, Instant decidedAt, Instant doneAt, String outcome) {
    public boolean done() {
      return doneAt != null;
    }
  }

  /** Thirty days of notification audit. */
  public static final int AUDIT_TTL_SECONDS = 30 * 86_400;

  /** What one audit row records. */
  public enum AuditStatus {
    /** An attempt on a channel that delivered. */
    DELIVERED,
    /** An attempt on a channel that failed (it may be retried). */
    FAILED,
    /** A receiver's channels all failed: the next receiver of the failover chain takes it. */
    FAILOVER,
    /** A change decided not to be sent (silenced, over its limit, inhibited, the feed only). */
    SUPPRESSED;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One row of the audit: a notification attempt (channel, receiver, outcome, latency, error), a
   * failover or a suppression, with the alert change's idempotency key and the alert's fingerprint,
   * which trace it.
   */
  public record AuditRow(
      Instant at,
      UUID id,
      String changeKey,
      String fingerprint,
      String rule,
      String summary,
      String receiver,
      String channel,
      int attempt,
      AuditStatus status,
      long latencyMs,
      String error) {}

  private static final long HOUR_MS = 3_600_000L;

  /** A new audit row id: a time-based UUID, as the table's {@code timeuuid} column takes. */
  public static UUID newAuditId() {
    return com.datastax.oss.driver.api.core.uuid.Uuids.timeBased();
  }

  private final CompletionStage<CqlSession> session;
  private final CompletionStage<PreparedStatement> selectOffset;
  private final CompletionStage<PreparedStatement> insertOffset;
  private final CompletionStage<PreparedStatement> selectRows;
  private final CompletionStage<PreparedStatement> insertDecided;
  private final CompletionStage<PreparedStatement> updateDone;
  private final CompletionStage<PreparedStatement> insertAudit;
  private final CompletionStage<PreparedStatement> insertSilence;
  private final CompletionStage<PreparedStatement> selectSilences;
  private final CompletionStage<PreparedStatement> deleteSilence;
  private final CompletionStage<PreparedStatement> selectAudit;
  private final CompletionStage<PreparedStatement> insertRouting;
  private final CompletionStage<PreparedStatement> selectRouting;
  private final CompletionStage<PreparedStatement> deleteRouting;

  /**
   * @param session the driver session (e.g. the persistence plugin's)
   * @param keyspace the journal keyspace
   */
  private final java.util.List<java.util.function.Consumer<AuditRow>> auditListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Tells {@code listener} of every audit row as it is written (the node's {@code /metrics}); it
   * runs on the writer's thread and must be quick and thread safe.
   */
  public void addAuditListener(java.util.function.Consumer<AuditRow> listener) {
    auditListeners.add(listener);
  }

  public NotifierStore(CompletionStage<CqlSession> session, String keyspace) {
    this.session = session;
    String offsets = keyspace + ".notifier_offset";
    String outbox = keyspace + ".notifier_outbox";
    selectOffset = prepare("SELECT tag_offset FROM " + offsets + " WHERE name = ?");
    insertOffset =
        prepare("INSERT INTO " + offsets + " (name, tag_offset, updated_at) VALUES (?, ?, ?)");
    selectRows =
        prepare(
            "SELECT receiver, summary, decided_at, done_at, outcome FROM "
                + outbox
                + " WHERE change_key = ?");
    insertDecided =
        prepare(
            "INSERT INTO "
                + outbox
                + " (change_key, receiver, summary, decided_at, done_at, outcome)"
                + " VALUES (?, ?, ?, ?, ?, ?)");
    updateDone =
        prepare(
            "UPDATE "
                + outbox
                + " SET done_at = ?, outcome = ? WHERE change_key = ? AND receiver = ?");
    String audit = keyspace + ".notifier_audit";
    insertAudit =
        prepare(
            "INSERT INTO "
                + audit
                + " (hour, at, id, change_key, fingerprint, rule, summary, receiver, channel,"
                + " attempt, status, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    selectAudit =
        prepare(
            "SELECT at, id, change_key, fingerprint, rule, summary, receiver, channel, attempt,"
                + " status, latency_ms, error FROM "
                + audit
                + " WHERE hour = ? AND at >= ? AND at < ?");
    String silences = keyspace + ".notifier_silences";
    insertSilence =
        prepare("INSERT INTO " + silences + " (id, silence, ends_at) VALUES (?, ?, ?) USING TTL ?");
    selectSilences = prepare("SELECT silence FROM " + silences);
    deleteSilence = prepare("DELETE FROM " + silences + " WHERE id = ?");
    String routing = keyspace + ".notifier_routing";
    insertRouting =
        prepare("INSERT INTO " + routing + " (kind, name, json, updated_at) VALUES (?, ?, ?, ?)");
    selectRouting = prepare("SELECT kind, name, json FROM " + routing);
    deleteRouting = prepare("DELETE FROM " + routing + " WHERE kind = ? AND name = ?");
  }

  /** A receiver or the route tree written through the API, as JSON. */
  public record RoutingDoc(String kind, String name, String json) {
    public static final String RECEIVER = "receiver";
    public static final String ROUTE = "route";
  }

  /** Writes (overwrites) a receiver or the route tree. */
  public CompletionStage<Void> saveRoutingDoc(String kind, String name, String json) {
    return execute(insertRouting, kind, name, json, Instant.now()).thenApply(rs -> null);
  }

  /** Every receiver and route written through the API (a few hundred rows at most). */
  public CompletionStage<List<RoutingDoc>> routingDocs() {
    return execute(selectRouting).thenCompose(rs -> collectDocs(rs, new ArrayList<>()));
  }

  private static CompletionStage<List<RoutingDoc>> collectDocs(
      com.datastax.oss.driver.api.core.cql.AsyncResultSet rs, List<RoutingDoc> out) {
    for (var row : rs.currentPage()) {
      out.add(new RoutingDoc(row.getString(0), row.getString(1), row.getString(2)));
    }
    return rs.hasMorePages()
        ? rs.fetchNextPage().thenCompose(next -> collectDocs(next, out))
        : java.util.concurrent.CompletableFuture.completedFuture(out);
  }

  public CompletionStage<Void> deleteRoutingDoc(String kind, String name) {
    return execute(deleteRouting, kind, name).thenApply(rs -> null);
  }

  private CompletionStage<PreparedStatement> prepare(String cql) {
    return session.thenCompose(s -> s.prepareAsync(cql));
  }

  /** The offset reader {@code name} saved last, if any. */
  public CompletionStage<Optional<UUID>> offset(String name) {
    return execute(selectOffset, name)
        .thenApply(
            rs -> {
              var row = rs.one();
              return row == null ? Optional.empty() : Optional.ofNullable(row.getUuid(0));
            });
  }

  public CompletionStage<Void> saveOffset(String name, UUID offset) {
    return execute(insertOffset, name, offset, Instant.now()).thenApply(rs -> null);
  }

  /** The rows of one alert change (none when it was never decided, or they expired). */
  public CompletionStage<List<OutboxRow>> rows(String changeKey) {
    return execute(selectRows, changeKey)
        .thenApply(
            rs -> {
              List<OutboxRow> out = new ArrayList<>();
              for (var row : rs.currentPage()) {
                out.add(
                    new OutboxRow(
                        row.getString(0),
                        row.getString(1),
                        row.getInstant(2),
                        row.getInstant(3),
                        row.getString(4)));
              }
              return out; // one partition of a few rows: never more than a page
            });
  }

  /** Writes a change's rows, one per receiver, not done: before anything is sent. */
  public CompletionStage<Void> decided(
      String changeKey, List<String> receivers, String summary, Instant at) {
    if (receivers.isEmpty()) {
      throw new IllegalArgumentException("no receiver: use suppressed");
    }
    return insertDecided.thenCompose(
        insert -> {
          // one partition (the change's key): atomic and isolated without the batch log
          BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED);
          for (String receiver : receivers) {
            // done_at and outcome unset, not null: no tombstones (the row is new)
            batch.addStatement(
                insert
                    .boundStatementBuilder(changeKey, receiver, summary, at, null, null)
                    .unset(4)
                    .unset(5)
                    .build());
          }
          return session.thenCompose(s -> s.executeAsync(batch.build())).thenApply(rs -> null);
        });
  }

  /** Writes the one row of a change decided not to be sent, done at once, with why. */
  public CompletionStage<Void> suppressed(
      String changeKey, String summary, String reason, Instant at) {
    return execute(insertDecided, changeKey, NO_RECEIVER, summary, at, at, reason)
        .thenApply(rs -> null);
  }

  /** Marks one receiver's row of a change done, with its outcome. */
  public CompletionStage<Void> done(String changeKey, String receiver, String outcome, Instant at) {
    return execute(updateDone, at, outcome, changeKey, receiver).thenApply(rs -> null);
  }

  /** How long a silence is kept after it ends (it is listed as expired until then). */
  public static final long SILENCE_KEPT_AFTER_END_SECONDS = 7 * 86_400;

  /** Writes (overwrites) silence {@code id}, as JSON, until a week after {@code endsAt}. */
  public CompletionStage<Void> saveSilence(String id, String json, Instant endsAt) {
    long ttl =
        Math.max(0, endsAt.getEpochSecond() - Instant.now().getEpochSecond())
            + SILENCE_KEPT_AFTER_END_SECONDS;
    return execute(insertSilence, id, json, endsAt, (int) Math.min(Integer.MAX_VALUE, ttl))
        .thenApply(rs -> null);
  }

  /** Every silence kept, as JSON (ended ones until a week after they ended). */
  public CompletionStage<List<String>> silences() {
    return execute(selectSilences).thenCompose(rs -> collect(rs, new ArrayList<>()));
  }

  private static CompletionStage<List<String>> collect(AsyncResultSet rs, List<String> out) {
    for (var row : rs.currentPage()) {
      out.add(row.getString(0));
    }
    return rs.hasMorePages()
        ? rs.fetchNextPage().thenCompose(next -> collect(next, out))
        : CompletableFuture.completedFuture(out);
  }

  public CompletionStage<Void> deleteSilence(String id) {
    return execute(deleteSilence, id).thenApply(rs -> null);
  }

  /** Writes one audit row. */
  public CompletionStage<Void> audit(AuditRow r) {
    auditListeners.forEach(l -> l.accept(r));
    return execute(
            insertAudit,
            Math.floorDiv(r.at().toEpochMilli(), HOUR_MS),
            r.at(),
            r.id(),
            r.changeKey(),
            r.fingerprint(),
            r.rule(),
            r.summary(),
            r.receiver(),
            r.channel(),
            r.attempt(),
            r.status().wireName(),
            r.latencyMs(),
            r.error())
        .thenApply(rs -> null);
  }

  /** Where a scan of the audit stopped: after the row at {@code at} with {@code id}. */
  public record AuditCursor(Instant at, UUID id) {}

  /**
   * What {@link #auditBetween} read: the rows kept, oldest first, and, when it stopped before the
   * end of the range (at {@code limit} rows kept or {@code maxScanned} read), where to go on from.
   */
  public record AuditScan(List<AuditRow> rows, Optional<AuditCursor> next) {}

  /**
   * The audit rows with {@code fromMs <= at < toMs} (after {@code after}, when given) that {@code
   * keep} accepts, oldest first: at most {@code limit} of them, reading at most {@code maxScanned}
   * rows. Reads one hour's partition after the other.
   */
  public CompletionStage<AuditScan> auditBetween(
      long fromMs,
      long toMs,
      Optional<AuditCursor> after,
      java.util.function.Predicate<AuditRow> keep,
      int limit,
      int maxScanned) {
    long from = after.map(c -> Math.max(fromMs, c.at().toEpochMilli())).orElse(fromMs);
    Scan scan = new Scan(toMs, after.orElse(null), keep, limit, maxScanned);
    return scan.hour(Math.floorDiv(from, HOUR_MS), from)
        .thenApply(
            stopped ->
                new AuditScan(
                    scan.kept,
                    stopped && scan.last != null ? Optional.of(scan.last) : Optional.empty()));
  }

  /** One scan of the audit: its limits and what it has read so far. */
  private final class Scan {
    final long toMs;
    AuditCursor skipTo;
    final java.util.function.Predicate<AuditRow> keep;
    final int limit;
    final int maxScanned;
    final List<AuditRow> kept = new ArrayList<>();
    int scanned;
    AuditCursor last;

    Scan(
        long toMs,
        AuditCursor skipTo,
        java.util.function.Predicate<AuditRow> keep,
        int limit,
        int maxScanned) {
      this.toMs = toMs;
      this.skipTo = skipTo;
      this.keep = keep;
      this.limit = limit;
      this.maxScanned = maxScanned;
    }

    boolean full() {
      return kept.size() >= limit || scanned >= maxScanned;
    }

    /**
     * Reads hour {@code hour} from {@code fromMs} on, then the next; true when it stopped early.
     */
    CompletionStage<Boolean> hour(long hour, long fromMs) {
      if (hour * HOUR_MS >= toMs) {
        return CompletableFuture.completedFuture(false);
      }
      return execute(selectAudit, hour, Instant.ofEpochMilli(fromMs), Instant.ofEpochMilli(toMs))
          .thenCompose(this::pages)
          .thenCompose(
              stopped ->
                  stopped
                      ? CompletableFuture.completedFuture(true)
                      : hour(hour + 1, (hour + 1) * HOUR_MS));
    }

    private CompletionStage<Boolean> pages(AsyncResultSet rs) {
      for (var row : rs.currentPage()) {
        if (full()) {
          return CompletableFuture.completedFuture(true);
        }
        Instant at = row.getInstant(0);
        UUID id = row.getUuid(1);
        if (skipTo != null) {
          if (at.equals(skipTo.at())) {
            if (id.equals(skipTo.id())) {
              skipTo = null; // the cursor's own row: the next one is new
            }
            continue;
          }
          skipTo = null;
        }
        scanned++;
        last = new AuditCursor(at, id);
        AuditRow r =
            new AuditRow(
                at,
                id,
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                row.getString(6),
                row.getString(7),
                row.getInt(8),
                AuditStatus.valueOf(row.getString(9).toUpperCase(java.util.Locale.ROOT)),
                row.getLong(10),
                row.getString(11));
        if (keep.test(r)) {
          kept.add(r);
        }
      }
      if (full()) {
        return CompletableFuture.completedFuture(true);
      }
      if (rs.hasMorePages()) {
        return rs.fetchNextPage().thenCompose(this::pages);
      }
      return CompletableFuture.completedFuture(false);
    }
  }

  /**
   * Runs {@code statement} with {@code values}; a null value is left unset, not written as null: a
   * null written is a tombstone (thousands of them in the audit slowed its reads, and Cassandra
   * warned), an unset column is simply absent.
   */
  private CompletionStage<AsyncResultSet> execute(
      CompletionStage<PreparedStatement> statement, Object... values) {
    return statement.thenCompose(
        p -> {
          var bound = p.boundStatementBuilder(values);
          for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
              bound = bound.unset(i);
            }
          }
          var built = bound.build();
          return session.thenCompose(s -> s.executeAsync(built));
        });
  }
}
