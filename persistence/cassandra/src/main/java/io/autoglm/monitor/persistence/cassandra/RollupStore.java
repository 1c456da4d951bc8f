package io.autoglm.monitor.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.reflect.GenericType;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.ModelStats;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

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
  private final int maxInFlight;
  private final int maxQueued;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  /**
   * @param session the driver session (e.g. the persistence plugin's)
   * @param keyspace the journal keyspace, where {@link CassandraSchema} created {@code rollups}
   * @param ttl how long a minute is kept
   */
  public RollupStore(CompletionStage<CqlSession> session, String keyspace, Duration ttl) {
    this(session, keyspace, ttl, 32, 20_000);
  }

  /**
   * @param maxInFlight writes sent to Cassandra at once; more wait (thousands of source IPs may
   *     change their minutes at once, and the session's connection would refuse them)
   * @param maxQueued writes waiting; more fail at once (their entity retries them later)
   */
  public RollupStore(
      CompletionStage<CqlSession> session,
      String keyspace,
      Duration ttl,
      int maxInFlight,
      int maxQueued) {
    if (maxInFlight < 1 || maxQueued < 0) {
      throw new IllegalArgumentException(
          "autoglm.history: max-writes-in-flight must be at least 1, max-queued-writes at least 0");
    }
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
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
                        + " prompt_tokens, completion_tokens, bytes_in, bytes_out, status_codes,"
                        + " ttft, models, sources)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " USING TTL ?"));
    this.select =
        session.thenCompose(
            s ->
                s.prepareAsync(
                    "SELECT minute, count, status_1xx, status_2xx, status_3xx, status_4xx,"
                        + " status_5xx, errors, latency_sum_ms, latency, prompt_tokens,"
                        + " completion_tokens, bytes_in, bytes_out, status_codes, ttft, models,"
                        + " sources FROM "
                        + table
                        + " WHERE entity = ? AND day = ? AND minute >= ? AND minute < ?"));
  }

  /**
   * Writes (overwrites) the given minutes of {@code entity}: one unlogged batch per day, at most
   * {@code maxInFlight} writes at once; fails at once when {@code maxQueued} are already waiting.
   */
  public CompletionStage<Void> write(String entity, List<WindowStats> minutes) {
    if (minutes.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable start =
        () ->
            send(entity, minutes)
                .whenComplete(
                    (ok, failure) -> {
                      Runnable next = waiting.poll();
                      if (next != null) {
                        queued.decrementAndGet();
                        next.run(); // keeps this write's slot
                      } else {
                        inFlight.decrementAndGet();
                        drain();
                      }
                      if (failure != null) {
                        done.completeExceptionally(failure);
                      } else {
                        done.complete(null);
                      }
                    });
    if (inFlight.incrementAndGet() <= maxInFlight) {
      start.run();
    } else {
      inFlight.decrementAndGet();
      if (queued.incrementAndGet() > maxQueued) {
        queued.decrementAndGet();
        done.completeExceptionally(
            new IllegalStateException(
                "history writes: "
                    + maxQueued
                    + " already waiting (autoglm.history.max-queued-writes)"));
      } else {
        waiting.add(start);
        drain();
      }
    }
    return done;
  }

  /** Starts waiting writes while there is room (a slot freed as one was queued). */
  private void drain() {
    while (!waiting.isEmpty()) {
      if (inFlight.incrementAndGet() > maxInFlight) {
        inFlight.decrementAndGet();
        return;
      }
      Runnable next = waiting.poll();
      if (next == null) {
        inFlight.decrementAndGet();
        return;
      }
      queued.decrementAndGet();
      next.run();
    }
  }

  private CompletionStage<Void> send(String entity, List<WindowStats> minutes) {
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
                        bind(
                            ps,
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
                            m.statusCodes(),
                            ByteBuffer.wrap(m.ttft().toBytes()),
                            models(m),
                            m.sources() == null ? null : ByteBuffer.wrap(m.sources().toBytes()),
                            ttlSeconds));
              }
              List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
              byDay
                  .values()
                  .forEach(b -> writes.add(s.executeAsync(b.build()).toCompletableFuture()));
              return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
            });
  }

  /**
   * Binds one row; without source IPs ({@code sources} null: the entity no longer holds them) the
   * column is left unset, so the row keeps those written before.
   */
  private static BoundStatement bind(PreparedStatement ps, Object... values) {
    BoundStatement b = ps.bind(values);
    return values[SOURCES_INDEX] == null ? b.unset(SOURCES_INDEX) : b;
  }

  private static final int SOURCES_INDEX = 19;

  private static final GenericType<Map<String, List<Long>>> MODELS =
      GenericType.mapOf(GenericType.STRING, GenericType.listOf(GenericType.LONG));

  /** A minute's models as the {@code models} column holds them. */
  private static Map<String, List<Long>> models(WindowStats m) {
    Map<String, List<Long>> out = new HashMap<>();
    m.models()
        .forEach(
            (name, s) ->
                out.put(
                    name,
                    List.of(s.requests(), s.errors(), s.promptTokens(), s.completionTokens())));
    return out;
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
    Map<String, ModelStats> models = new HashMap<>();
    row.get("models", MODELS)
        .forEach(
            (name, v) -> {
              if (v.size() >= 4) {
                models.put(name, new ModelStats(v.get(0), v.get(1), v.get(2), v.get(3)));
              }
            });
    ByteBuffer ttft = row.getByteBuffer("ttft");
    ByteBuffer sources = row.getByteBuffer("sources");
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
        row.getLong("bytes_out"),
        Map.copyOf(row.getMap("status_codes", Integer.class, Long.class)),
        ttft == null || !ttft.hasRemaining() ? null : LatencySketch.fromBytes(bytesOf(ttft)),
        Map.copyOf(models),
        sources == null ? null : SourceIpSketch.fromBytes(bytesOf(sources)));
  }

  private static byte[] bytesOf(ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    return bytes;
  }

  private static LocalDate dayOf(long ms) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
  }
}
