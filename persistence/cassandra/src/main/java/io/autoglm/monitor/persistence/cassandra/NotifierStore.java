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

  private final CompletionStage<CqlSession> session;
  private final CompletionStage<PreparedStatement> selectOffset;
  private final CompletionStage<PreparedStatement> insertOffset;
  private final CompletionStage<PreparedStatement> selectRows;
  private final CompletionStage<PreparedStatement> insertDecided;
  private final CompletionStage<PreparedStatement> updateDone;

  /**
   * @param session the driver session (e.g. the persistence plugin's)
   * @param keyspace the journal keyspace
   */
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
          BatchStatementBuilder batch = BatchStatement.builder(BatchType.LOGGED);
          for (String receiver : receivers) {
            batch.addStatement(insert.bind(changeKey, receiver, summary, at, null, null));
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

  private CompletionStage<AsyncResultSet> execute(
      CompletionStage<PreparedStatement> statement, Object... values) {
    return statement.thenCompose(p -> session.thenCompose(s -> s.executeAsync(p.bind(values))));
  }
}
