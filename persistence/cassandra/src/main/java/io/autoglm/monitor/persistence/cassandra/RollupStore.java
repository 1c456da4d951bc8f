package io.autoglm.monitor.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The per-minute history of the statistics entities ("rollups"), in the table {@code rollups} of
 * the journal keyspace ({@link CassandraSchema}): one row per entity and minute, one partition per
 * entity and UTC day, every row written with a TTL ({@code autoglm.history.ttl}, 8 days by
 * default), so history stays bounded without any cleanup job.
 *
 * <p>A row holds the minute's whole statistics and is overwritten whenever the minute changes (an
 * upsert, never an increment), so writing the same minute twice — after a retry, or when an entity
 * rewrites its minutes after a restart — is harmless.
 */
public final class RollupStore {
  /** A year of minutes: far more than any TTL this store is used with. */
  public static final long MAX_RANGE_MS = 366L * 24 * 3600 * 1000;

  private final CompletionStage<CqlSession> session;
  private final CompletionStage<PreparedStatement> insert;
  private final CompletionStage<PreparedStatement> select;
  private final int ttlSeconds;

  /**
   * @param session the driver session (e.g. the persistence plugin's)
   * @param keyspace the journal keyspace, where {@link CassandraSchema} created {@code rollups}
   * @param ttl how long a minute is kept
   */
  public RollupStore(CompletionStage<CqlSession> session, String keyspace, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero() || ttl.toSeconds() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("autoglm.history.ttl must be positive, got " + ttl);
    }
    this.session = session;
    this.ttlSeconds = (int) ttl.toSeconds();
    String table = keyspace + ".rollups";
    this.insert =
        session.thenCompose(
            s ->
                s.prepareAsync(
                    "INSERT INTO "
                        + table
                        + " (entity, day, minute, count, status_1xx, status_2xx, status_3xx,"
                        + " status_4xx, status_5xx, errors, latency_sum_ms, latency,"
                        + " prompt_tokens, completion_tokens, bytes_in, bytes_out)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?"));
    this.select =
        session.thenCompose(
            s ->
                s.prepareAsync(
                    "SELECT minute, count, status_1xx, status_2xx, status_3xx, status_4xx,"
                        + " status_5xx, errors, latency_sum_ms, latency, prompt_tokens,"
                        + " completion_tokens, bytes_in, bytes_out FROM "
                        + table
                        + " WHERE entity = ? AND day = ? AND minute >= ? AND minute < ?"));
  }

  /** Writes (overwrites) the given minutes of {@code entity}: one unlogged batch per day. */
  public CompletionStage<Void> write(String entity, List<WindowStats> minutes) {
    if (minutes.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return insert
        .thenCombine(session, (ps, s) -> new Object[] {ps, s})
        .thenCompose(
            both -> {
              PreparedStatement ps = (PreparedStatement) both[0];
              CqlSession s = (CqlSession) both[1];
              Map<LocalDate, BatchStatementBuilder> byDay = new TreeMap<>();
              for (WindowStats m : minutes) {
                byDay
                    .computeIfAbsent(
                        dayOf(m.start()), d -> BatchStatement.builder(DefaultBatchType.UNLOGGED))
                    .addStatement(
                        ps.bind(
                            entity,
                            dayOf(m.start()),
                            Instant.ofEpochMilli(m.start()),
                            m.count(),
                            m.status1xx(),
                            m.status2xx(),
                            m.status3xx(),
                            m.status4xx(),
                            m.status5xx(),
                            m.errors(),
                            m.latencySumMs(),
                            ByteBuffer.wrap(m.latency().toBytes()),
                            m.promptTokens(),
                            m.completionTokens(),
                            m.bytesIn(),
                            m.bytesOut(),
                            ttlSeconds));
              }
              List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
              byDay
                  .values()
                  .forEach(b -> writes.add(s.executeAsync(b.build()).toCompletableFuture()));
              return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
            });
  }

  /** The minutes of {@code entity} starting in {@code [fromMs, toMs)}, oldest first. */
  public CompletionStage<List<WindowStats>> read(String entity, long fromMs, long toMs) {
    if (toMs <= fromMs) {
      return CompletableFuture.completedFuture(List.of());
    }
    if (toMs - fromMs > MAX_RANGE_MS) {
      throw new IllegalArgumentException("a range of at most a year, got " + (toMs - fromMs));
    }
    return select
        .thenCombine(session, (ps, s) -> new Object[] {ps, s})
        .thenCompose(
            both -> {
              PreparedStatement ps = (PreparedStatement) both[0];
              CqlSession s = (CqlSession) both[1];
              List<CompletableFuture<List<WindowStats>>> days = new ArrayList<>();
              for (LocalDate d = dayOf(fromMs); !d.isAfter(dayOf(toMs - 1)); d = d.plusDays(1)) {
                days.add(
                    readAll(
                        s,
                        ps.bind(entity, d, Instant.ofEpochMilli(fromMs), Instant.ofEpochMilli(toMs))
                            .setPageSize(1440),
                        new ArrayList<>()));
              }
              return CompletableFuture.allOf(days.toArray(CompletableFuture[]::new))
                  .thenApply(
                      done -> {
                        List<WindowStats> all = new ArrayList<>();
                        days.forEach(f -> all.addAll(f.join()));
                        all.sort(Comparator.comparingLong(WindowStats::start));
                        return all;
                      });
            });
  }

  private static CompletableFuture<List<WindowStats>> readAll(
      CqlSession s,
      com.datastax.oss.driver.api.core.cql.Statement<?> statement,
      List<WindowStats> into) {
    return s.executeAsync(statement).toCompletableFuture().thenCompose(page -> collect(page, into));
  }

  private static CompletableFuture<List<WindowStats>> collect(
      AsyncResultSet page, List<WindowStats> into) {
    for (Row row : page.currentPage()) {
      into.add(toStats(row));
    }
    if (page.hasMorePages()) {
      return page.fetchNextPage().toCompletableFuture().thenCompose(next -> collect(next, into));
    }
    return CompletableFuture.completedFuture(into);
  }

  private static WindowStats toStats(Row row) {
    long start = row.getInstant("minute").toEpochMilli();
    ByteBuffer latency = row.getByteBuffer("latency");
    byte[] bytes = new byte[latency == null ? 0 : latency.remaining()];
    if (latency != null) {
      latency.duplicate().get(bytes);
    }
    return new WindowStats(
        start,
        start + 60_000,
        row.getLong("count"),
        row.getLong("status_1xx"),
        row.getLong("status_2xx"),
        row.getLong("status_3xx"),
        row.getLong("status_4xx"),
        row.getLong("status_5xx"),
        row.getLong("errors"),
        row.getDouble("latency_sum_ms"),
        bytes.length == 0 ? LatencySketch.empty() : LatencySketch.fromBytes(bytes),
        row.getLong("prompt_tokens"),
        row.getLong("completion_tokens"),
        row.getLong("bytes_in"),
        row.getLong("bytes_out"));
  }

  private static LocalDate dayOf(long ms) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
  }
}
