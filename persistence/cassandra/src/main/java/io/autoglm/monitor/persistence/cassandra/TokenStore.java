package io.autoglm.monitor.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The API tokens ({@code api_tokens} in the journal keyspace): one row per token, holding the
 * SHA-256 of its secret, never the secret. Tokens are few (the node caps them), so listing reads
 * the whole table.
 */
public final class TokenStore {

  /** A token as stored: {@code revokedAt} is null while it is valid. */
  public record StoredToken(
      String id, String hash, String name, String role, Instant createdAt, Instant revokedAt) {
    public boolean revoked() {
      return revokedAt != null;
    }
  }

  private final CompletionStage<CqlSession> session;
  private final CompletionStage<PreparedStatement> select;
  private final CompletionStage<PreparedStatement> selectAll;
  private final CompletionStage<PreparedStatement> insertIfAbsent;
  private final CompletionStage<PreparedStatement> insert;
  private final CompletionStage<PreparedStatement> revoke;

  /**
   * @param session the driver session (e.g. the persistence plugin's)
   * @param keyspace the journal keyspace
   */
  public TokenStore(CompletionStage<CqlSession> session, String keyspace) {
    this.session = session;
    String table = keyspace + ".api_tokens";
    String columns = "id, hash, name, role, created_at, revoked_at";
    select = prepare("SELECT " + columns + " FROM " + table + " WHERE id = ?");
    selectAll = prepare("SELECT " + columns + " FROM " + table);
    insertIfAbsent =
        prepare(
            "INSERT INTO "
                + table
                + " (id, hash, name, role, created_at) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS");
    insert =
        prepare(
            "INSERT INTO " + table + " (id, hash, name, role, created_at) VALUES (?, ?, ?, ?, ?)");
    revoke = prepare("UPDATE " + table + " SET revoked_at = ? WHERE id = ? IF EXISTS");
  }

  public CompletionStage<Optional<StoredToken>> find(String id) {
    return execute(select, id).thenApply(rs -> Optional.ofNullable(rs.one()).map(TokenStore::of));
  }

  /** Every token, revoked ones included. */
  public CompletionStage<List<StoredToken>> all() {
    return execute(selectAll).thenCompose(rs -> collect(rs, new ArrayList<>()));
  }

  /**
   * Stores {@code token} unless a token with its id exists (a lightweight transaction, so that of
   * several nodes creating the first admin token at once exactly one wins): whether it was stored.
   */
  public CompletionStage<Boolean> insertIfAbsent(StoredToken token) {
    return execute(
            insertIfAbsent, token.id(), token.hash(), token.name(), token.role(), token.createdAt())
        .thenApply(AsyncResultSet::wasApplied);
  }

  /** Stores {@code token} (its id is random: no transaction needed). */
  public CompletionStage<Void> insert(StoredToken token) {
    return execute(insert, token.id(), token.hash(), token.name(), token.role(), token.createdAt())
        .thenApply(rs -> null);
  }

  /** Marks the token revoked; false if there is no such token. */
  public CompletionStage<Boolean> revoke(String id, Instant at) {
    return execute(revoke, at, id).thenApply(AsyncResultSet::wasApplied);
  }

  private static StoredToken of(Row row) {
    return new StoredToken(
        row.getString(0),
        row.getString(1),
        row.getString(2),
        row.getString(3),
        row.getInstant(4),
        row.getInstant(5));
  }

  private static CompletionStage<List<StoredToken>> collect(
      AsyncResultSet rs, List<StoredToken> out) {
    for (Row row : rs.currentPage()) {
      out.add(of(row));
    }
    return rs.hasMorePages()
        ? rs.fetchNextPage().thenCompose(next -> collect(next, out))
        : CompletableFuture.completedFuture(out);
  }

  private CompletionStage<PreparedStatement> prepare(String cql) {
    return session.thenCompose(s -> s.prepareAsync(cql));
  }

  private CompletionStage<AsyncResultSet> execute(
      CompletionStage<PreparedStatement> statement, Object... values) {
    return statement.thenCompose(
        p -> {
          var bound = p.bind(values);
          return session.thenCompose(s -> s.executeAsync(bound));
        });
  }
}
