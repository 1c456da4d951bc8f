package io.autoglm.monitor.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyspaces and tables pekko-persistence-cassandra 1.1.0 reads and writes, created explicitly
 * and idempotently ({@code IF NOT EXISTS}) instead of by the plugin's {@code
 * keyspace-autocreate}/{@code tables-autocreate}, which its docs warn against outside development
 * because concurrent schema changes from several nodes make Cassandra report column family id
 * mismatches.
 *
 * <p>The table definitions are the plugin's defaults (its journal.md and snapshots.md, and {@code
 * CassandraJournalStatements}/{@code CassandraSnapshotStatements} in 1.1.0), with the tag tables:
 * alert events are tagged, and the notifier reads them by tag.
 */
public final class CassandraSchema {

  private static final Logger log = LoggerFactory.getLogger(CassandraSchema.class);

  /** Unquoted CQL identifiers: what the plugin puts into its statements verbatim. */
  private static final Pattern KEYSPACE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

  /** Schema changes wait for agreement; on a loaded two-core machine the 2 s default is short. */
  private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

  private static final String SIZE_TIERED_COMPACTION =
      """
      {
          'class' : 'SizeTieredCompactionStrategy',
          'enabled' : true,
          'tombstone_compaction_interval' : 86400,
          'tombstone_threshold' : 0.2,
          'unchecked_tombstone_compaction' : false,
          'bucket_high' : 1.5,
          'bucket_low' : 0.5,
          'max_threshold' : 32,
          'min_threshold' : 4,
          'min_sstable_size' : 50
          }""";

  private CassandraSchema() {}

  /**
   * Creates the journal keyspace (messages, metadata, all_persistence_ids, tag_views,
   * tag_write_progress, tag_scanning, and this project's rollups, notifier_offset, notifier_outbox
   * and notifier_audit) and the snapshot keyspace (snapshots) if they do not exist, with {@code
   * SimpleStrategy} and the given replication factor. Existing keyspaces and tables are left as
   * they are (their replication is not altered).
   */
  public static void create(
      CqlSession session, String journalKeyspace, String snapshotKeyspace, int replicationFactor) {
    Objects.requireNonNull(session, "session");
    List<String> statements = statements(journalKeyspace, snapshotKeyspace, replicationFactor);
    long startedAt = System.nanoTime();
    // as the plugin does for its auto-create: no metadata refresh after every DDL statement
    session.setSchemaMetadataEnabled(false);
    try {
      for (String cql : statements) {
        SimpleStatement statement = SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT);
        ResultSet result = session.execute(statement);
        if (!result.getExecutionInfo().isSchemaInAgreement()) {
          log.warn("Cassandra nodes did not agree on the schema in time after: {}", firstLine(cql));
        }
      }
      upgrade(session, journalKeyspace);
    } finally {
      session.setSchemaMetadataEnabled(null);
    }
    log.info(
        "Cassandra schema ready: journal keyspace {}, snapshot keyspace {}, replication factor {}"
            + " ({} ms)",
        journalKeyspace,
        snapshotKeyspace,
        replicationFactor,
        (System.nanoTime() - startedAt) / 1_000_000);
  }

  /**
   * How long Cassandra keeps deleted journal events (and their tombstones) before compaction may
   * drop them: one day, not the plugin's ten. The entities delete their events once a snapshot
   * covers them, so a busy endpoint's deleted events would otherwise hold about ten days of writes
   * on disk. A shorter grace is safe here even if a replica misses a deletion and the event comes
   * back: recovery starts from the snapshot and never reads events below it.
   */
  static final int MESSAGES_GC_GRACE_SECONDS = 86_400;

  /**
   * Brings tables made by an earlier version up to {@link #statements}, changing only what differs
   * (read from {@code system_schema}), so a start with an up-to-date schema changes nothing.
   */
  private static void upgrade(CqlSession session, String journalKeyspace) {
    String j = keyspaceName("journal", journalKeyspace);
    boolean hasSources =
        session
                .execute(
                    SimpleStatement.newInstance(
                        "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ?"
                            + " AND table_name = 'rollups' AND column_name = 'sources'",
                        j))
                .one()
            != null;
    if (!hasSources) {
      alter(
          session,
          "ALTER TABLE %s.rollups ADD (status_codes map<int, bigint>, ttft blob,".formatted(j)
              + " models map<text, frozen<list<bigint>>>, sources blob)");
    }
    Row messages =
        session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT gc_grace_seconds FROM system_schema.tables WHERE keyspace_name = ?"
                        + " AND table_name = 'messages'",
                    j))
            .one();
    if (messages != null && messages.getInt("gc_grace_seconds") != MESSAGES_GC_GRACE_SECONDS) {
      alter(
          session,
          "ALTER TABLE %s.messages WITH gc_grace_seconds = %d"
              .formatted(j, MESSAGES_GC_GRACE_SECONDS));
    }
  }

  private static void alter(CqlSession session, String cql) {
    session.execute(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    log.info("Cassandra schema upgraded: {}", cql);
  }

  /** The CQL {@link #create} runs, in order, e.g. to hand to cqlsh for a production cluster. */
  public static List<String> statements(
      String journalKeyspace, String snapshotKeyspace, int replicationFactor) {
    String j = keyspaceName("journal", journalKeyspace);
    String s = keyspaceName("snapshot", snapshotKeyspace);
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replication factor must be at least 1, not " + replicationFactor);
    }
    return List.of(
        createKeyspace(j, replicationFactor),
        """
        CREATE TABLE IF NOT EXISTS %s.messages (
          persistence_id text,
          partition_nr bigint,
          sequence_nr bigint,
          timestamp timeuuid,
          timebucket text,
          writer_uuid text,
          ser_id int,
          ser_manifest text,
          event_manifest text,
          event blob,
          meta_ser_id int,
          meta_ser_manifest text,
          meta blob,
          tags set<text>,
          PRIMARY KEY ((persistence_id, partition_nr), sequence_nr, timestamp))
          WITH gc_grace_seconds = %d
          AND compaction = %s"""
            .formatted(j, MESSAGES_GC_GRACE_SECONDS, SIZE_TIERED_COMPACTION),
        """
        CREATE TABLE IF NOT EXISTS %s.tag_views (
          tag_name text,
          persistence_id text,
          sequence_nr bigint,
          timebucket bigint,
          timestamp timeuuid,
          tag_pid_sequence_nr bigint,
          writer_uuid text,
          ser_id int,
          ser_manifest text,
          event_manifest text,
          event blob,
          meta_ser_id int,
          meta_ser_manifest text,
          meta blob,
          PRIMARY KEY ((tag_name, timebucket), timestamp, persistence_id, tag_pid_sequence_nr))
          WITH gc_grace_seconds = 864000
          AND compaction = %s"""
            .formatted(j, SIZE_TIERED_COMPACTION),
        """
        CREATE TABLE IF NOT EXISTS %s.tag_write_progress(
          persistence_id text,
          tag text,
          sequence_nr bigint,
          tag_pid_sequence_nr bigint,
          offset timeuuid,
          PRIMARY KEY (persistence_id, tag))"""
            .formatted(j),
        """
        CREATE TABLE IF NOT EXISTS %s.tag_scanning(
          persistence_id text,
          sequence_nr bigint,
          PRIMARY KEY (persistence_id))"""
            .formatted(j),
        """
        CREATE TABLE IF NOT EXISTS %s.metadata(
          persistence_id text PRIMARY KEY,
          deleted_to bigint,
          properties map<text,text>)"""
            .formatted(j),
        """
        CREATE TABLE IF NOT EXISTS %s.all_persistence_ids(
          persistence_id text PRIMARY KEY)"""
            .formatted(j),
        // the per-minute history of the statistics entities (RollupStore), not the plugin's:
        // one partition per entity and UTC day, rows written with a TTL, so time-window
        // compaction drops whole expired sstables
        """
        CREATE TABLE IF NOT EXISTS %s.rollups (
          entity text,
          day date,
          minute timestamp,
          count bigint,
          status_1xx bigint,
          status_2xx bigint,
          status_3xx bigint,
          status_4xx bigint,
          status_5xx bigint,
          errors bigint,
          latency_sum_ms double,
          latency blob,
          prompt_tokens bigint,
          completion_tokens bigint,
          bytes_in bigint,
          bytes_out bigint,
          status_codes map<int, bigint>,
          ttft blob,
          models map<text, frozen<list<bigint>>>,
          sources blob,
          PRIMARY KEY ((entity, day), minute))
          WITH compaction = {'class': 'TimeWindowCompactionStrategy',
            'compaction_window_unit': 'DAYS', 'compaction_window_size': 1}
          AND gc_grace_seconds = 86400"""
            .formatted(j),
        // the notifier's (NotifierStore): how far it has read the alert events of the journal
        """
        CREATE TABLE IF NOT EXISTS %s.notifier_offset (
          name text PRIMARY KEY,
          tag_offset timeuuid,
          updated_at timestamp)"""
            .formatted(j),
        // ... and what it decided and delivered for each alert change: one row per receiver,
        // kept two weeks (longer than the journal reading can lag)
        """
        CREATE TABLE IF NOT EXISTS %s.notifier_outbox (
          change_key text,
          receiver text,
          summary text,
          decided_at timestamp,
          done_at timestamp,
          outcome text,
          PRIMARY KEY (change_key, receiver))
          WITH default_time_to_live = %d
          AND gc_grace_seconds = 86400"""
            .formatted(j, NotifierStore.OUTBOX_TTL_SECONDS),
        // ... and every notification attempt, failover and suppression: the audit, one
        // partition per hour, read by time range
        """
        CREATE TABLE IF NOT EXISTS %s.notifier_audit (
          hour bigint,
          at timestamp,
          id timeuuid,
          change_key text,
          fingerprint text,
          rule text,
          summary text,
          receiver text,
          channel text,
          attempt int,
          status text,
          latency_ms bigint,
          error text,
          PRIMARY KEY (hour, at, id))
          WITH default_time_to_live = %d
          AND compaction = {'class': 'TimeWindowCompactionStrategy',
            'compaction_window_unit': 'DAYS', 'compaction_window_size': 1}
          AND gc_grace_seconds = 86400"""
            .formatted(j, NotifierStore.AUDIT_TTL_SECONDS),
        // ... and the silences made through the API (kept a week after they end)
        """
        CREATE TABLE IF NOT EXISTS %s.notifier_silences (
          id text PRIMARY KEY,
          silence text,
          ends_at timestamp)"""
            .formatted(j),
        // ... and the receivers and route tree written through the API
        """
        CREATE TABLE IF NOT EXISTS %s.notifier_routing (
          kind text,
          name text,
          json text,
          updated_at timestamp,
          PRIMARY KEY (kind, name))"""
            .formatted(j),
        """
        CREATE TABLE IF NOT EXISTS %s.api_tokens (
          id text PRIMARY KEY,
          hash text,
          name text,
          role text,
          created_at timestamp,
          revoked_at timestamp)"""
            .formatted(j),
        createKeyspace(s, replicationFactor),
        """
        CREATE TABLE IF NOT EXISTS %s.snapshots (
          persistence_id text,
          sequence_nr bigint,
          timestamp bigint,
          ser_id int,
          ser_manifest text,
          snapshot_data blob,
          snapshot blob,
          meta_ser_id int,
          meta_ser_manifest text,
          meta blob,
          PRIMARY KEY (persistence_id, sequence_nr))
          WITH CLUSTERING ORDER BY (sequence_nr DESC) AND gc_grace_seconds = 864000
          AND compaction = %s"""
            .formatted(s, SIZE_TIERED_COMPACTION));
  }

  private static String createKeyspace(String keyspace, int replicationFactor) {
    return ("CREATE KEYSPACE IF NOT EXISTS %s WITH REPLICATION ="
            + " { 'class' : 'SimpleStrategy', 'replication_factor' : %d }")
        .formatted(keyspace, replicationFactor);
  }

  private static String keyspaceName(String role, String name) {
    if (name == null || !KEYSPACE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          role
              + " keyspace name must be a letter followed by up to 47 letters, digits or"
              + " underscores, not '"
              + name
              + "'");
    }
    // Cassandra folds unquoted identifiers to lower case, as does the plugin's unquoted CQL
    return name.toLowerCase(Locale.ROOT);
  }

  private static String firstLine(String cql) {
    int newline = cql.indexOf('\n');
    return newline < 0 ? cql : cql.substring(0, newline);
  }
}
