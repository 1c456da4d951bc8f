package io.autoglm.monitor.persistence.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.autoglm.monitor.persistence.cassandra.CassandraBootstrap;
import io.autoglm.monitor.persistence.cassandra.CassandraSchema;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * One Cassandra per test JVM, shared by every test class in it, with a fresh pair of keyspaces per
 * test (or per ActorSystem) so tests never see each other's events.
 *
 * <p>Every table costs Cassandra heap (about half a megabyte, never given back while the table
 * exists), and a full run makes hundreds of keyspaces of a dozen tables each: more than the 1.5 GB
 * heap holds. So the keyspaces a test class made are dropped when it ends ({@link
 * DropKeyspacesAfterEachClass}), without the snapshot Cassandra takes of a dropped table by
 * default.
 *
 * <p>By default it starts an {@link EmbeddedCassandra} lazily, on first use, on free ports with its
 * data under {@code target/test-cassandra-<random>}; a shutdown hook stops it and deletes that
 * directory when the JVM exits. When the environment variable {@value #EXTERNAL_ENV} is set ({@code
 * host:port}), that Cassandra is used instead (its datacenter from {@value #EXTERNAL_DC_ENV},
 * default {@code datacenter1}). When {@value #SHARED_DIR_ENV} names a directory ({@code
 * ./run-tests} sets it), the test JVMs of one build share one embedded Cassandra: the first starts
 * it there and leaves it running, later ones reuse it, and {@code ./run-tests} stops it.
 *
 * <pre>{@code
 * static final ActorTestKit testKit =
 *     ActorTestKit.create(TestCassandra.shared().testConfig());
 * }</pre>
 */
public final class TestCassandra {

  public static final String EXTERNAL_ENV = "AUTOGLM_TEST_CASSANDRA";
  public static final String EXTERNAL_DC_ENV = "AUTOGLM_TEST_CASSANDRA_DC";
  public static final String SHARED_DIR_ENV = "AUTOGLM_TEST_CASSANDRA_SHARED_DIR";
  public static final String PERSISTENCE_CONF = "autoglm-persistence.conf";

  private static final String DEFAULT_DATACENTER = "datacenter1";
  private static final String MAX_HEAP = "1536m";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
  private static final int REPLICATION_FACTOR = 1;
  private static final Duration DROP_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The test Cassandra's own settings: a dropped table is not snapshotted first (a snapshot flushes
   * every table of the keyspace to disk, and a test's keyspaces are not kept).
   */
  private static final List<String> JVM_OPTIONS =
      List.of(
          "-Dcassandra.config.allow_system_properties=true",
          "-Dcassandra.settings.auto_snapshot=false");

  private static TestCassandra shared;
  private static RuntimeException sharedFailure;

  private final String host;
  private final int cqlPort;
  private final String localDatacenter;
  private final Optional<EmbeddedCassandra> embedded;
  private CqlSession session;
  private final List<String> keyspacesMade = new ArrayList<>(); // guarded by this

  private TestCassandra(
      String host, int cqlPort, String localDatacenter, Optional<EmbeddedCassandra> embedded) {
    this.host = host;
    this.cqlPort = cqlPort;
    this.localDatacenter = localDatacenter;
    this.embedded = embedded;
  }

  /**
   * The Cassandra of this test JVM, started on first call. A failed start is remembered: later
   * calls fail at once with the same cause instead of trying again.
   */
  public static synchronized TestCassandra shared() {
    if (sharedFailure != null) {
      throw new IllegalStateException("The test Cassandra failed to start earlier", sharedFailure);
    }
    if (shared == null) {
      try {
        shared = start();
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    }
    return shared;
  }

  public String host() {
    return host;
  }

  public int cqlPort() {
    return cqlPort;
  }

  /** {@code host:port}. */
  public String contactPoint() {
    return host + ":" + cqlPort;
  }

  public String localDatacenter() {
    return localDatacenter;
  }

  /** The embedded Cassandra, empty when {@value #EXTERNAL_ENV} points at an external one. */
  public Optional<EmbeddedCassandra> embedded() {
    return embedded;
  }

  /** A session shared by test helpers; it is closed at JVM exit, do not close it. */
  public synchronized CqlSession session() {
    if (session == null) {
      session =
          CassandraBootstrap.openSession(
              ConfigFactory.load(),
              CassandraBootstrap.driverConfig(List.of(contactPoint()), localDatacenter),
              CONNECT_TIMEOUT);
    }
    return session;
  }

  /**
   * The first column of the first row {@code cql} selects, as text; empty when there is no row or
   * the value is null. For tests that read a table and should not depend on the driver's API.
   */
  public Optional<String> firstValue(String cql) {
    var row = session().execute(cql).one();
    return row == null || row.isNull(0)
        ? Optional.empty()
        : Optional.of(String.valueOf(row.getObject(0)));
  }

  /**
   * Creates two new keyspaces (journal {@code t_<caller>_<random>_j}, snapshot {@code ..._s}) with
   * {@link CassandraSchema} and returns an unresolved overlay pointing the persistence plugin and
   * the driver at them and at this Cassandra. It also sets {@code
   * autoglm.cassandra.contact-points}, so a {@link CassandraBootstrap} run by a node under test
   * uses this Cassandra rather than starting another.
   */
  public Config freshKeyspaceConfig() {
    String prefix = "t_" + callerName() + "_" + UUID.randomUUID().toString().substring(0, 8);
    String journalKeyspace = prefix + "_j";
    String snapshotKeyspace = prefix + "_s";
    synchronized (this) {
      keyspacesMade.add(journalKeyspace);
      keyspacesMade.add(snapshotKeyspace);
    }
    CassandraSchema.create(session(), journalKeyspace, snapshotKeyspace, REPLICATION_FACTOR);
    List<String> contactPoints = List.of(contactPoint());
    return CassandraBootstrap.driverConfig(contactPoints, localDatacenter)
        .withValue(
            "pekko.persistence.cassandra.journal.keyspace",
            ConfigValueFactory.fromAnyRef(journalKeyspace))
        .withValue(
            "pekko.persistence.cassandra.snapshot.keyspace",
            ConfigValueFactory.fromAnyRef(snapshotKeyspace))
        .withValue(
            "autoglm.cassandra.contact-points", ConfigValueFactory.fromIterable(contactPoints))
        .withValue("autoglm.cassandra.contact-points-env", ConfigValueFactory.fromAnyRef(""))
        .withValue(
            "autoglm.cassandra.local-datacenter", ConfigValueFactory.fromAnyRef(localDatacenter));
  }

  /**
   * Drops every keyspace {@link #freshKeyspaceConfig()} made in this JVM so far, if the test
   * Cassandra was used at all (it is not started for this). Called when a test class ends, when its
   * nodes have stopped; a keyspace that cannot be dropped is reported and left.
   */
  static void dropKeyspacesMadeSoFar() {
    TestCassandra cassandra;
    synchronized (TestCassandra.class) {
      cassandra = shared;
    }
    if (cassandra != null) {
      cassandra.dropKeyspacesMade();
    }
  }

  private void dropKeyspacesMade() {
    List<String> keyspaces;
    synchronized (this) {
      keyspaces = List.copyOf(keyspacesMade);
      keyspacesMade.clear();
    }
    for (String keyspace : keyspaces) {
      try {
        session()
            .execute(
                SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace)
                    .setTimeout(DROP_TIMEOUT));
      } catch (RuntimeException e) {
        System.err.println("Could not drop the test keyspace " + keyspace + ": " + e);
      }
    }
  }

  /**
   * A complete, resolved config for an ActorSystem under test: {@link #freshKeyspaceConfig()} over
   * {@value #PERSISTENCE_CONF} over {@code ConfigFactory.load()}. Resolved only at the end, so
   * substitutions in {@value #PERSISTENCE_CONF} (the local datacenter) see the overlay.
   */
  public Config testConfig() {
    return freshKeyspaceConfig()
        .withFallback(ConfigFactory.parseResources(PERSISTENCE_CONF))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /** The defaults, with {@link #MAX_HEAP} and {@link #JVM_OPTIONS} after the default options. */
  private static EmbeddedCassandra.Settings settings() {
    EmbeddedCassandra.Settings defaults = EmbeddedCassandra.Settings.defaults();
    List<String> options = new ArrayList<>(defaults.jvmOptions());
    options.addAll(JVM_OPTIONS);
    return defaults.withMaxHeap(MAX_HEAP).withJvmOptions(options);
  }

  private static TestCassandra start() {
    String external = System.getenv(EXTERNAL_ENV);
    if (external != null && !external.isBlank()) {
      int colon = external.lastIndexOf(':');
      if (colon < 1) {
        throw new IllegalArgumentException(
            EXTERNAL_ENV + " must be host:port, e.g. 127.0.0.1:9042, not '" + external + "'");
      }
      String dc = Optional.ofNullable(System.getenv(EXTERNAL_DC_ENV)).orElse(DEFAULT_DATACENTER);
      return new TestCassandra(
          external.substring(0, colon).strip(),
          Integer.parseInt(external.substring(colon + 1).strip()),
          dc,
          Optional.empty());
    }

    String sharedDir = System.getenv(SHARED_DIR_ENV);
    if (sharedDir != null && !sharedDir.isBlank()) {
      return startShared(Path.of(sharedDir).toAbsolutePath());
    }

    Path dataDir =
        Path.of("target", "test-cassandra-" + UUID.randomUUID().toString().substring(0, 8))
            .toAbsolutePath();
    int cqlPort = EmbeddedCassandra.freePort();
    int storagePort = EmbeddedCassandra.freePort();
    while (storagePort == cqlPort) {
      storagePort = EmbeddedCassandra.freePort();
    }
    EmbeddedCassandra cassandra =
        EmbeddedCassandra.start(settings().withDataDir(dataDir).withPorts(cqlPort, storagePort));
    TestCassandra testCassandra =
        new TestCassandra(
            cassandra.host(), cassandra.cqlPort(), DEFAULT_DATACENTER, Optional.of(cassandra));
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> testCassandra.stop(dataDir), "test-cassandra-stop"));
    return testCassandra;
  }

  /**
   * The Cassandra of every test JVM of one build: under a file lock, the first starts it with its
   * data in {@code dir/data} and its ports in {@code dir/ports}, and detaches it from this JVM; the
   * next ones find the ports and reuse it ({@link EmbeddedCassandra#start} reuses whatever answers
   * CQL there, and starts it again on the same ports if it died).
   */
  private static TestCassandra startShared(Path dir) {
    try {
      Files.createDirectories(dir);
      try (FileChannel lockFile =
              FileChannel.open(
                  dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        Path portsFile = dir.resolve("ports");
        int cqlPort;
        int storagePort;
        if (Files.exists(portsFile)) {
          String[] ports = Files.readString(portsFile).strip().split(" ");
          cqlPort = Integer.parseInt(ports[0]);
          storagePort = Integer.parseInt(ports[1]);
        } else {
          cqlPort = EmbeddedCassandra.freePort();
          storagePort = EmbeddedCassandra.freePort();
          while (storagePort == cqlPort) {
            storagePort = EmbeddedCassandra.freePort();
          }
        }
        EmbeddedCassandra cassandra =
            EmbeddedCassandra.start(
                settings().withDataDir(dir.resolve("data")).withPorts(cqlPort, storagePort));
        cassandra.detachShutdownHook(); // it outlives this JVM: the build's next test JVM reuses it
        Files.writeString(portsFile, cqlPort + " " + storagePort + "\n");
        TestCassandra shared =
            new TestCassandra(
                cassandra.host(), cqlPort, DEFAULT_DATACENTER, Optional.of(cassandra));
        Runtime.getRuntime()
            .addShutdownHook(new Thread(shared::closeSession, "test-cassandra-session-close"));
        return shared;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot share a test Cassandra in " + dir, e);
    }
  }

  private synchronized void closeSession() {
    if (session != null) {
      session.close();
    }
  }

  private void stop(Path dataDir) {
    synchronized (this) {
      if (session != null) {
        session.close();
      }
    }
    embedded.ifPresent(EmbeddedCassandra::close);
    deleteRecursively(dataDir);
  }

  /** The simple name of the class that asked for keyspaces, as a keyspace-name fragment. */
  private static String callerName() {
    String name =
        StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
            .walk(
                frames ->
                    frames
                        .map(StackWalker.StackFrame::getDeclaringClass)
                        .filter(c -> c != TestCassandra.class)
                        .findFirst()
                        .map(Class::getSimpleName)
                        .orElse("test"));
    String cleaned = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (cleaned.isEmpty()) {
      cleaned = "test";
    }
    return cleaned.length() > 24 ? cleaned.substring(0, 24) : cleaned;
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      System.err.println("Could not delete test Cassandra data " + root + ": " + e);
    }
  }
}
