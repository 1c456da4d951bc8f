package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.persistence.testkit.TestCassandra;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/k8s/cassandra/keyspaces.cql} on a real Cassandra (its datacenter and one replica in
 * place of dc1 and 3), and a node on the schema it made, at the consistency the manifests' {@code
 * node.conf} sets: the node ingests and answers, and makes none of the tables again.
 */
class DeployCqlIT {
  private static final Pattern TABLE =
      Pattern.compile("^CREATE TABLE IF NOT EXISTS (\\w+)\\.(\\w+)");

  @Test
  void aNodeRunsOnTheSchemaTheCqlMade() throws IOException {
    TestCassandra cassandra = TestCassandra.shared();
    String prefix = "deploy_" + UUID.randomUUID().toString().substring(0, 8);
    String text =
        Files.readString(Checkout.file("deploy", "k8s", "cassandra", "keyspaces.cql"))
            .replace("autoglm_journal", prefix + "_j")
            .replace("autoglm_snapshot", prefix + "_s")
            .replace("'dc1' : 3", "'" + cassandra.localDatacenter() + "' : 1");
    List<String> statements = DeployManifestsTest.cql(text);
    for (String statement : statements) {
      cassandra.firstValue(statement);
    }
    assertTrue(
        cassandra
            .firstValue(
                "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = '"
                    + prefix
                    + "_j'")
            .orElseThrow()
            .contains("NetworkTopologyStrategy"));
    Map<String, String> idsBefore = tableIds(cassandra, statements);

    String consistency = "LOCAL_QUORUM";
    try (Node node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "pekko.persistence.cassandra.journal.keyspace",
                    prefix + "_j",
                    "pekko.persistence.cassandra.snapshot.keyspace",
                    prefix + "_s",
                    "datastax-java-driver.basic.request.consistency",
                    consistency,
                    "datastax-java-driver.profiles.pekko-persistence-cassandra-profile"
                        + ".basic.request.consistency",
                    consistency,
                    "datastax-java-driver.profiles.pekko-persistence-cassandra-snapshot-profile"
                        + ".basic.request.consistency",
                    consistency)))) {
      TestHttp http = new TestHttp(node.baseUrl());
      assertEquals(
          200,
          http.post("/api/v1/ingest", NodeFixture.traffic("/v1/chat/completions", 0, 5, 10, 0))
              .status());
      TestHttp.Reply stats =
          http.get("/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/stats?limit=100");
      assertEquals(200, stats.status(), stats.body());
      assertEquals(50, NodeFixture.countInMinutes(stats.json()));
    }
    assertTrue(
        cassandra
            .firstValue("SELECT persistence_id FROM " + prefix + "_j.all_persistence_ids LIMIT 1")
            .isPresent(),
        "the node wrote to the keyspace the CQL made");
    assertEquals(idsBefore, tableIds(cassandra, statements), "the node made a table again");
  }

  /** The id of every table the statements make (a table made again would have a new one). */
  private static Map<String, String> tableIds(TestCassandra cassandra, List<String> statements) {
    Map<String, String> ids = new LinkedHashMap<>();
    for (String statement : statements) {
      Matcher m = TABLE.matcher(statement);
      if (m.find()) {
        ids.put(
            m.group(1) + "." + m.group(2),
            cassandra
                .firstValue(
                    "SELECT id FROM system_schema.tables WHERE keyspace_name = '"
                        + m.group(1)
                        + "' AND table_name = '"
                        + m.group(2)
                        + "'")
                .orElseThrow(() -> new AssertionError("no table " + m.group(2))));
      }
    }
    assertTrue(ids.size() > 10, ids.toString());
    return ids;
  }
}
