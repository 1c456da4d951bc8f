package io.autoglm.monitor.tools.drill;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a drill cluster's event journal back from Cassandra and finds the entities that two nodes
 * wrote at once: for every persistence id, the span (first to last event) of each writer (a node's
 * journal, one per node start) must not overlap another writer's. Entities that moved from one node
 * to another (a node died, left or was downed) have several writers one after the other; two
 * overlapping spans mean two live incarnations of one entity: a split brain.
 */
final class JournalWriters {

  /** One writer's events of one entity: its first and last event time (ms) and how many. */
  record Span(String writer, long firstMs, long lastMs, int events) {}

  /** Two writers of one entity whose spans overlap. */
  record Overlap(String persistenceId, Span a, Span b) {}

  /** What the journal holds: entities, those written by more than one node, and the overlaps. */
  record Result(int entities, int moved, long events, List<Overlap> overlaps) {}

  private JournalWriters() {}

  static Result check(String contactPoint, String keyspace) {
    int colon = contactPoint.lastIndexOf(':');
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(
                new InetSocketAddress(
                    contactPoint.substring(0, colon),
                    Integer.parseInt(contactPoint.substring(colon + 1))))
            .withLocalDatacenter("datacenter1")
            .build()) {
      Map<String, Map<String, Span>> byEntity = new HashMap<>();
      long events = 0;
      for (Row row :
          session.execute(
              SimpleStatement.newInstance(
                      "SELECT persistence_id, timestamp, writer_uuid FROM "
                          + keyspace
                          + ".messages")
                  .setPageSize(5_000))) {
        events++;
        long ms = Uuids.unixTimestamp(row.getUuid("timestamp"));
        String writer = row.getString("writer_uuid");
        byEntity
            .computeIfAbsent(row.getString("persistence_id"), id -> new HashMap<>())
            .merge(
                writer,
                new Span(writer, ms, ms, 1),
                (x, y) ->
                    new Span(
                        writer,
                        Math.min(x.firstMs(), y.firstMs()),
                        Math.max(x.lastMs(), y.lastMs()),
                        x.events() + y.events()));
      }
      return summarize(byEntity, events);
    }
  }

  /** The entities of {@code byEntity} (persistence id to its writers' spans) and the overlaps. */
  static Result summarize(Map<String, Map<String, Span>> byEntity, long events) {
    int moved = 0;
    List<Overlap> overlaps = new ArrayList<>();
    for (var entity : byEntity.entrySet()) {
      List<Span> spans = new ArrayList<>(entity.getValue().values());
      moved += spans.size() > 1 ? 1 : 0;
      for (int i = 0; i < spans.size(); i++) {
        for (int j = i + 1; j < spans.size(); j++) {
          Span a = spans.get(i);
          Span b = spans.get(j);
          if (a.firstMs() <= b.lastMs() && b.firstMs() <= a.lastMs()) {
            overlaps.add(new Overlap(entity.getKey(), a, b));
          }
        }
      }
    }
    return new Result(byEntity.size(), moved, events, overlaps);
  }
}
