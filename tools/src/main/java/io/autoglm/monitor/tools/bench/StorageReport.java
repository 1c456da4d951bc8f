package io.autoglm.monitor.tools.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.autoglm.monitor.node.Node;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * What a benchmark's node stored in Cassandra, read back from its keyspaces: per kind of entity
 * (endpoint, source IP, …), the history rows (one per entity and minute) and the journal events
 * still held, as payload bytes (the columns' values; Cassandra adds its own overhead and then
 * compresses). From them, the bytes per entity per day of traffic: a busy entity writes one history
 * row a minute, and one journal event per write (about one a second when it is busy; the events are
 * deleted once a snapshot covers them, and their space comes back when compaction runs after {@code
 * gc_grace_seconds}).
 */
final class StorageReport {
  private StorageReport() {}

  private static final class Kind {
    long rows;
    long rowBytes;
    long events;
    long eventBytes;
    final java.util.Set<String> entities = new java.util.HashSet<>();
  }

  /**
   * @param writesPerSecond the journal writes a busy entity makes per second, for the per-day
   *     figure
   */
  static void print(Node node, PrintStream out, double writesPerSecond) throws Exception {
    String keyspace =
        node.system().settings().config().getString("pekko.persistence.cassandra.journal.keyspace");
    CqlSession session =
        CassandraSessionRegistry.get(node.system())
            .sessionFor("pekko.persistence.cassandra")
            .underlying()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Map<String, Kind> kinds = new HashMap<>();
    for (Row row :
        session.execute(
            "SELECT entity, latency, ttft, sources, status_codes, models FROM "
                + keyspace
                + ".rollups")) {
      String entity = row.getString("entity");
      Kind k = kinds.computeIfAbsent(kindOf(entity), x -> new Kind());
      k.rows++;
      k.entities.add(entity);
      k.rowBytes +=
          entity.length()
              + 4 // day
              + 8 * 14 // minute and the 13 numbers
              + size(row.getByteBuffer("latency"))
              + size(row.getByteBuffer("ttft"))
              + size(row.getByteBuffer("sources"))
              + 12L * row.getMap("status_codes", Integer.class, Long.class).size();
      Map<String, List<Long>> models =
          row.get(
              "models",
              com.datastax.oss.driver.api.core.type.reflect.GenericType.mapOf(
                  com.datastax.oss.driver.api.core.type.reflect.GenericType.STRING,
                  com.datastax.oss.driver.api.core.type.reflect.GenericType.listOf(
                      com.datastax.oss.driver.api.core.type.reflect.GenericType.LONG)));
      for (String name : models.keySet()) {
        k.rowBytes += name.length() + 32;
      }
    }
    for (Row row : session.execute("SELECT persistence_id, event FROM " + keyspace + ".messages")) {
      Kind k = kinds.computeIfAbsent(kindOf(row.getString("persistence_id")), x -> new Kind());
      k.events++;
      k.eventBytes += size(row.getByteBuffer("event"));
    }
    out.println("storage (payload bytes, read back from Cassandra)");
    kinds.forEach(
        (kind, k) -> {
          double perRow = k.rows == 0 ? 0 : (double) k.rowBytes / k.rows;
          double perEvent = k.events == 0 ? 0 : (double) k.eventBytes / k.events;
          out.printf(
              "  %-14s %,d entities: %,d history rows, %,.0f bytes/row (%,.1f MB per entity per"
                  + " day of minutes); %,d journal events held, %,.0f bytes/event (%,.0f MB"
                  + " written per busy entity per day at %.1f writes/s)%n",
              kind,
              k.entities.size(),
              k.rows,
              perRow,
              perRow * 1440 / 1e6,
              k.events,
              perEvent,
              perEvent * writesPerSecond * 86_400 / 1e6,
              writesPerSecond);
        });
  }

  private static String kindOf(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    return bar < 0 ? persistenceId : persistenceId.substring(0, bar);
  }

  private static long size(ByteBuffer b) {
    return b == null ? 0 : b.remaining();
  }
}
