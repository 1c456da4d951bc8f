package io.autoglm.monitor.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra.Settings;
import io.autoglm.monitor.persistence.testkit.TestCassandra;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCassandraIT {

  /** Generous: a failing start must end well within this, never hang. */
  private static final Duration NO_HANG = Duration.ofSeconds(120);

  @TempDir Path tempDir;

  @Test
  void sharedCassandraAnswersCql() {
    TestCassandra cassandra = TestCassandra.shared();

    Row row = cassandra.session().execute("SELECT release_version FROM system.local").one();

    assertNotNull(row);
    if (cassandra.embedded().isPresent()) {
      assertTrue(row.getString("release_version").startsWith("5.0"), row.getFormattedContents());
      assertTrue(cassandra.embedded().get().childAlive());
      Path log = cassandra.embedded().get().logFile().orElseThrow();
      assertTrue(Files.exists(log.resolveSibling("cassandra.pid")), "pid file next to " + log);
      // the default jvm-options reach the child: its JIT stops at C1
      long pid = cassandra.embedded().get().pid().orElseThrow();
      String commandLine = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElseThrow();
      assertTrue(commandLine.contains(" -XX:TieredStopAtLevel=1 "), commandLine);
    }
  }

  @Test
  void startReusesACassandraThatAlreadyAnswersOnThePort() {
    TestCassandra shared = TestCassandra.shared();
    Path unusedDataDir = tempDir.resolve("unused");
    Settings settings =
        Settings.defaults()
            .withHost(shared.host())
            .withPorts(shared.cqlPort(), EmbeddedCassandra.freePort())
            .withDataDir(unusedDataDir);

    try (EmbeddedCassandra reused = EmbeddedCassandra.start(settings)) {
      assertTrue(reused.reused());
      assertTrue(reused.pid().isEmpty());
      assertEquals(shared.contactPoint(), reused.contactPoint());
    }

    assertFalse(Files.exists(unusedDataDir), "a reused instance writes nothing");
    shared.session().execute("SELECT now() FROM system.local"); // still answers after close()
    shared.embedded().ifPresent(embedded -> assertTrue(embedded.childAlive()));
  }

  @Test
  void portTakenBySomethingThatIsNotCassandraFailsInsteadOfReusingIt() throws IOException {
    try (ServerSocket notCassandra = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Settings settings =
          freePortSettings(tempDir.resolve("unused"))
              .withPorts(notCassandra.getLocalPort(), EmbeddedCassandra.freePort());

      CassandraStartException failure =
          assertTimeoutPreemptively(
              NO_HANG,
              () ->
                  assertThrows(
                      CassandraStartException.class, () -> EmbeddedCassandra.start(settings)));

      assertTrue(failure.getMessage().contains("does not answer CQL"), failure.getMessage());
    }
  }

  @Test
  void dataDirThatIsARegularFileFailsWithAClearMessage() throws IOException {
    Path file = Files.writeString(tempDir.resolve("not-a-dir"), "x");
    Settings settings = freePortSettings(file);

    CassandraStartException failure =
        assertTimeoutPreemptively(
            NO_HANG,
            () ->
                assertThrows(
                    CassandraStartException.class, () -> EmbeddedCassandra.start(settings)));

    assertTrue(failure.getMessage().contains("not a directory"), failure.getMessage());
    assertTrue(failure.getMessage().contains(file.toString()), failure.getMessage());
  }

  @Test
  void childThatExitsFailsWithTheEndOfItsLog() throws IOException {
    Path dataDir = tempDir.resolve("storage-port-taken");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Settings settings =
          freePortSettings(dataDir).withPorts(EmbeddedCassandra.freePort(), taken.getLocalPort());

      CassandraStartException failure =
          assertTimeoutPreemptively(
              NO_HANG,
              () ->
                  assertThrows(
                      CassandraStartException.class, () -> EmbeddedCassandra.start(settings)));

      String message = failure.getMessage();
      assertTrue(message.contains("exited with code"), message);
      assertTrue(message.contains("Last lines of the log"), message);
      assertTrue(message.contains(String.valueOf(taken.getLocalPort())), message);
    }
    assertNoChildUsing(dataDir);
  }

  @Test
  void startTimeoutStopsTheChildAndFails() {
    Path dataDir = tempDir.resolve("too-slow");
    Settings settings = freePortSettings(dataDir).withStartTimeout(Duration.ofSeconds(1));

    CassandraStartException failure =
        assertTimeoutPreemptively(
            NO_HANG,
            () ->
                assertThrows(
                    CassandraStartException.class, () -> EmbeddedCassandra.start(settings)));

    assertTrue(failure.getMessage().contains("did not answer CQL"), failure.getMessage());
    assertTrue(failure.getMessage().contains(dataDir.toString()), failure.getMessage());
    assertNoChildUsing(dataDir);
  }

  @Test
  void settingsComeFromConfigWithDefaultsFromReferenceConf() {
    Config config =
        ConfigFactory.parseString(
                "autoglm.cassandra.embedded { cql-port = 19042, max-heap = 768m }")
            .withFallback(ConfigFactory.defaultReference())
            .resolve();

    Settings settings = Settings.fromConfig(config);

    assertEquals(19042, settings.cqlPort());
    assertEquals("768m", settings.maxHeap());
    assertEquals(Settings.defaults().storagePort(), settings.storagePort());
    assertEquals(Duration.ofSeconds(120), settings.startTimeout());
    assertEquals("127.0.0.1", settings.host());
    assertEquals(List.of("-XX:TieredStopAtLevel=1"), settings.jvmOptions());
    Config fullJit =
        ConfigFactory.parseString("autoglm.cassandra.embedded.jvm-options = []")
            .withFallback(config);
    assertEquals(List.of(), Settings.fromConfig(fullJit).jvmOptions());
  }

  @Test
  void settingsRejectNonsense() {
    Settings defaults = Settings.defaults();
    assertThrows(IllegalArgumentException.class, () -> defaults.withMaxHeap("lots"));
    assertThrows(IllegalArgumentException.class, () -> defaults.withMaxHeap("64m"));
    assertThrows(IllegalArgumentException.class, () -> defaults.withPorts(9042, 9042));
    assertThrows(IllegalArgumentException.class, () -> defaults.withPorts(70_000, 7000));
    assertThrows(IllegalArgumentException.class, () -> defaults.withStartTimeout(Duration.ZERO));
    IllegalArgumentException heap =
        assertThrows(
            IllegalArgumentException.class, () -> defaults.withJvmOptions(List.of("-Xmx4g")));
    assertTrue(heap.getMessage().contains("max-heap"), heap.getMessage());
    IllegalArgumentException notAnOption =
        assertThrows(
            IllegalArgumentException.class,
            () -> defaults.withJvmOptions(List.of("TieredStopAtLevel=1")));
    assertTrue(notAnOption.getMessage().contains("jvm-options"), notAnOption.getMessage());
  }

  private static Settings freePortSettings(Path dataDir) {
    int cqlPort = EmbeddedCassandra.freePort();
    int storagePort = EmbeddedCassandra.freePort();
    while (storagePort == cqlPort) {
      storagePort = EmbeddedCassandra.freePort();
    }
    return Settings.defaults()
        .withDataDir(dataDir)
        .withPorts(cqlPort, storagePort)
        .withMaxHeap("512m");
  }

  private static void assertNoChildUsing(Path dataDir) {
    String marker = "-Dcassandra.storagedir=" + dataDir.toAbsolutePath().normalize();
    assertTrue(
        ProcessHandle.current()
            .children()
            .filter(ProcessHandle::isAlive)
            .noneMatch(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)),
        "no Cassandra child left running on " + dataDir);
  }
}
