package io.autoglm.monitor.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.autoglm.monitor.persistence.testkit.TestCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraBootstrapIT {

  @TempDir Path tempDir;

  @Test
  void withContactPointsItCreatesTheConfiguredKeyspacesAndReturnsTheDriverOverlay() {
    TestCassandra cassandra = TestCassandra.shared();
    String prefix = "boot_" + UUID.randomUUID().toString().substring(0, 8);
    Config config =
        nodeConfig(
            ConfigFactory.empty()
                .withValue(
                    "autoglm.cassandra.contact-points",
                    ConfigValueFactory.fromIterable(List.of(cassandra.contactPoint())))
                .withValue(
                    "pekko.persistence.cassandra.journal.keyspace",
                    ConfigValueFactory.fromAnyRef(prefix + "_j"))
                .withValue(
                    "pekko.persistence.cassandra.snapshot.keyspace",
                    ConfigValueFactory.fromAnyRef(prefix + "_s")));

    try (CassandraBootstrap.Prepared prepared = CassandraBootstrap.prepare(config)) {
      assertTrue(prepared.embedded().isEmpty());
      assertEquals(List.of(cassandra.contactPoint()), prepared.contactPoints());
      Config applied = prepared.applyTo(config);
      assertEquals(
          List.of(cassandra.contactPoint()),
          applied.getStringList("datastax-java-driver.basic.contact-points"));
      assertEquals(
          "datacenter1",
          applied.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
    }
    assertEquals(
        13L, // the plugin's six tables, the rollups, the notifier's five and the API tokens
        cassandra
            .session()
            .execute(
                "SELECT count(*) FROM system_schema.tables WHERE keyspace_name = ?", prefix + "_j")
            .one()
            .getLong(0));
  }

  @Test
  void withoutContactPointsItUsesTheEmbeddedCassandraReusingARunningOne() {
    TestCassandra cassandra = TestCassandra.shared();
    assumeTrue(
        cassandra.host().equals(EmbeddedCassandra.Settings.DEFAULT_HOST),
        "the embedded Cassandra listens on loopback only");
    Config config =
        nodeConfig(
            ConfigFactory.parseString(
                    """
                    autoglm.cassandra.contact-points = []
                    autoglm.cassandra.contact-points-env = ""
                    autoglm.cassandra.embedded.cql-port = %d
                    autoglm.cassandra.embedded.data-dir = "%s"
                    """
                        .formatted(cassandra.cqlPort(), tempDir.resolve("embedded")))
                .withFallback(cassandra.freshKeyspaceConfig()));

    CassandraBootstrap.Prepared prepared = CassandraBootstrap.prepare(config);
    prepared.close();

    assertTrue(prepared.embedded().isPresent());
    assertTrue(prepared.embedded().get().reused());
    assertEquals(List.of(cassandra.contactPoint()), prepared.contactPoints());
    cassandra.session().execute("SELECT now() FROM system.local"); // close() left it running
  }

  @Test
  void unreachableContactPointsFailWithinTheConnectTimeout() {
    String nowhere = "127.0.0.1:" + EmbeddedCassandra.freePort();
    Config config =
        nodeConfig(
            ConfigFactory.parseString(
                "autoglm.cassandra { contact-points = [\"%s\"], connect-timeout = 1s }"
                    .formatted(nowhere)));

    IllegalStateException failure =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () ->
                assertThrows(
                    IllegalStateException.class, () -> CassandraBootstrap.prepare(config)));

    assertTrue(failure.getMessage().contains(nowhere), failure.getMessage());
  }

  @Test
  void contactPointsComeFromTheListOrFromTheEnvironmentString() {
    Config list =
        ConfigFactory.parseString(
            "contact-points = [\"a:9042\", \"[::1]:9043\"]\ncontact-points-env = \"\"");
    Config env =
        ConfigFactory.parseString(
            "contact-points = [\"a:9042\"]\ncontact-points-env = \" b:9042 , c:9043 ,\"");
    Config systemProperty =
        ConfigFactory.parseString("contact-points = \"d:9042,e:9042\"\ncontact-points-env = \"\"");

    assertEquals(List.of("a:9042", "[::1]:9043"), CassandraBootstrap.contactPoints(list));
    assertEquals(List.of("b:9042", "c:9043"), CassandraBootstrap.contactPoints(env));
    assertEquals(List.of("d:9042", "e:9042"), CassandraBootstrap.contactPoints(systemProperty));
    assertFalse(
        CassandraBootstrap.contactPoints(ConfigFactory.parseString("contact-points = []"))
            .iterator()
            .hasNext());
  }

  @Test
  void contactPointsWithoutAPortAreRejected() {
    Config noPort = ConfigFactory.parseString("contact-points = [\"cassandra\"]");
    Config badPort = ConfigFactory.parseString("contact-points = [\"cassandra:99999\"]");

    IllegalArgumentException failure =
        assertThrows(
            IllegalArgumentException.class, () -> CassandraBootstrap.contactPoints(noPort));
    assertTrue(failure.getMessage().contains("'cassandra'"), failure.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CassandraBootstrap.contactPoints(badPort));
  }

  private static Config nodeConfig(Config overrides) {
    return overrides
        .withFallback(ConfigFactory.parseResources(TestCassandra.PERSISTENCE_CONF))
        .withFallback(ConfigFactory.load())
        .resolve();
  }
}
