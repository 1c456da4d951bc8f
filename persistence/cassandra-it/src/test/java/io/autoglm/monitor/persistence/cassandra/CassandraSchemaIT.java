package io.autoglm.monitor.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.autoglm.monitor.persistence.testkit.TestCassandra;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CassandraSchemaIT {

  private static final Set<String> JOURNAL_TABLES =
      Set.of(
          "messages",
          "metadata",
          "all_persistence_ids",
          "tag_views",
          "tag_write_progress",
          "tag_scanning",
          "rollups",
          "notifier_offset",
          "notifier_outbox",
          "notifier_audit",
          "notifier_silences",
          "notifier_routing",
          "api_tokens");

  @Test
  void createsJournalAndSnapshotTablesAndIsIdempotent() {
    CqlSession session = TestCassandra.shared().session();
    String prefix = "schema_" + UUID.randomUUID().toString().substring(0, 8);
    String journal = prefix + "_j";
    String snapshot = prefix + "_s";

    CassandraSchema.create(session, journal, snapshot, 1);
    CassandraSchema.create(session, journal, snapshot, 1); // second run changes nothing, no error

    assertEquals(JOURNAL_TABLES, tables(session, journal));
    assertEquals(Set.of("snapshots"), tables(session, snapshot));
    Row keyspace =
        session
            .execute(
                "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", journal)
            .one();
    Map<String, String> replication = keyspace.getMap("replication", String.class, String.class);
    assertTrue(replication.get("class").endsWith("SimpleStrategy"), replication.toString());
    assertEquals("1", replication.get("replication_factor"));
  }

  @Test
  void rejectsKeyspaceNamesThatAreNotPlainIdentifiers() {
    assertThrows(
        IllegalArgumentException.class, () -> CassandraSchema.statements("bad-name", "ok", 1));
    assertThrows(
        IllegalArgumentException.class, () -> CassandraSchema.statements("ok", "x; DROP", 1));
    assertThrows(IllegalArgumentException.class, () -> CassandraSchema.statements("ok", "ok", 0));
  }

  @Test
  void statementsAreThePluginTablesInOrderThenTheRollupsAndTheNotifiers() {
    var statements = CassandraSchema.statements("j", "s", 3);

    assertEquals(16, statements.size());
    assertTrue(statements.get(0).contains("'replication_factor' : 3"), statements.get(0));
    assertTrue(statements.get(1).startsWith("CREATE TABLE IF NOT EXISTS j.messages"));
    assertTrue(statements.get(7).startsWith("CREATE TABLE IF NOT EXISTS j.rollups"));
    assertTrue(statements.get(8).startsWith("CREATE TABLE IF NOT EXISTS j.notifier_offset"));
    assertTrue(statements.get(9).startsWith("CREATE TABLE IF NOT EXISTS j.notifier_outbox"));
    assertTrue(statements.get(10).startsWith("CREATE TABLE IF NOT EXISTS j.notifier_audit"));
    assertTrue(statements.get(11).startsWith("CREATE TABLE IF NOT EXISTS j.notifier_silences"));
    assertTrue(statements.get(12).startsWith("CREATE TABLE IF NOT EXISTS j.notifier_routing"));
    assertTrue(statements.get(13).startsWith("CREATE TABLE IF NOT EXISTS j.api_tokens"));
    assertTrue(statements.get(15).startsWith("CREATE TABLE IF NOT EXISTS s.snapshots"));
  }

  /**
   * A keyspace made by the previous version (rollups without status codes, TTFT, models and
   * sources; journal events kept ten days after deletion) is brought up to date at the next start,
   * keeping its rows.
   */
  @Test
  void upgradesTablesOfThePreviousVersion() {
    CqlSession session = TestCassandra.shared().session();
    String prefix = "upgrade_" + UUID.randomUUID().toString().substring(0, 8);
    String journal = prefix + "_j";
    CassandraSchema.create(session, journal, prefix + "_s", 1);
    // back to the previous version's shape
    session.execute(
        "ALTER TABLE " + journal + ".rollups DROP (status_codes, ttft, models, sources)");
    session.execute("ALTER TABLE " + journal + ".messages WITH gc_grace_seconds = 864000");
    session.execute(
        "INSERT INTO "
            + journal
            + ".rollups (entity, day, minute, count) VALUES ('e', '2026-01-01', 0, 7)");

    CassandraSchema.create(session, journal, prefix + "_s", 1);

    Set<String> columns =
        session
            .execute(
                "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ?"
                    + " AND table_name = 'rollups'",
                journal)
            .all()
            .stream()
            .map(row -> row.getString("column_name"))
            .collect(Collectors.toSet());
    assertTrue(
        columns.containsAll(Set.of("status_codes", "ttft", "models", "sources")),
        columns.toString());
    assertEquals(
        CassandraSchema.MESSAGES_GC_GRACE_SECONDS,
        session
            .execute(
                "SELECT gc_grace_seconds FROM system_schema.tables WHERE keyspace_name = ?"
                    + " AND table_name = 'messages'",
                journal)
            .one()
            .getInt("gc_grace_seconds"));
    assertEquals(
        7,
        session
            .execute(
                "SELECT count FROM "
                    + journal
                    + ".rollups WHERE entity = 'e' AND day = '2026-01-01'")
            .one()
            .getLong("count"));
  }

  private static Set<String> tables(CqlSession session, String keyspace) {
    return session
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
        .all()
        .stream()
        .map(row -> row.getString("table_name"))
        .collect(Collectors.toSet());
  }
}
