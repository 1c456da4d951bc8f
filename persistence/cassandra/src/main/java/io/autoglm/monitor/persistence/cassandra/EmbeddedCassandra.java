package io.autoglm.monitor.persistence.cassandra;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Cassandra for development and tests, run as a child JVM so that none of Cassandra's
 * jars share our classpath.
 *
 * <p>{@link #start} writes a minimal {@code cassandra.yaml} (loopback, every directory under the
 * data dir), launches {@code org.apache.cassandra.service.CassandraDaemon} with the JDK 17 module
 * flags Cassandra itself uses, sends its output to {@code <data-dir>/cassandra.log}, and returns
 * once the CQL port answers the native protocol. If a CQL server already answers on the port, it is
 * reused instead: no child is started and {@link #close()} leaves it alone.
 *
 * <p>A child started here is stopped by {@link #close()} or, failing that, by a JVM shutdown hook.
 * If this JVM is killed with SIGKILL the child survives; the next start on the same port then
 * simply reuses it.
 */
public final class EmbeddedCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  private static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";
  private static final long POLL_MILLIS = 250;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int LOG_TAIL_LINES = 30;

  /** The module flags of Cassandra 5.0's {@code conf/jvm17-server.options}. */
  private static final List<String> JDK17_MODULE_FLAGS =
      List.of(
          "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens", "java.base/java.io=ALL-UNNAMED",
          "--add-opens", "java.base/java.nio=ALL-UNNAMED",
          "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED",
          "--add-opens", "java.base/java.util=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens", "java.base/java.net=ALL-UNNAMED");

  /**
   * Where and how to run the embedded Cassandra.
   *
   * @param dataDir root of everything Cassandra writes (data, commit log, generated yaml, log)
   * @param host loopback address Cassandra listens on
   * @param cqlPort native protocol port; 0 picks a free one
   * @param storagePort inter-node port (unused by a single node, but bound); 0 picks a free one
   * @param maxHeap the child's {@code -Xmx}, e.g. {@code 1g} or {@code 768m}
   * @param startTimeout how long to wait for CQL to answer before giving up
   * @param javaHome the Java the child runs on; {@code ""}: find one, see {@link CassandraJava}
   * @param jvmOptions more options for the child JVM, after the heap and before the class path
   */
  public record Settings(
      Path dataDir,
      String host,
      int cqlPort,
      int storagePort,
      String maxHeap,
      Duration startTimeout,
      String javaHome,
      List<String> jvmOptions) {

    /** Config path read by {@link #fromConfig(Config)}. */
    public static final String CONFIG_PATH = "autoglm.cassandra.embedded";

    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * The embedded Cassandra's default JIT: C1 only. It is a light-loaded dev and test database
     * next to the node on the same cores, and its C2 compiler took a tenth of a two-core machine
     * for minutes after each start (see the README's "Embedded Cassandra").
     */
    public static final List<String> C1_ONLY = List.of("-XX:TieredStopAtLevel=1");

    private static final Pattern HEAP_SIZE = Pattern.compile("(\\d+)([kKmMgG]?)");

    public Settings {
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(maxHeap, "maxHeap");
      Objects.requireNonNull(startTimeout, "startTimeout");
      Objects.requireNonNull(javaHome, "javaHome");
      jvmOptions = List.copyOf(jvmOptions);
      for (String option : jvmOptions) {
        if (!option.startsWith("-")
            || option.isBlank()
            || option.strip().length() != option.length()) {
          throw new IllegalArgumentException(
              "jvm-options holds JVM options such as -XX:TieredStopAtLevel=1, not '"
                  + option
                  + "'");
        }
        if (option.startsWith("-Xmx") || option.startsWith("-Xms")) {
          throw new IllegalArgumentException(
              "jvm-options must not set the heap (" + option + "): max-heap does");
        }
      }
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      requirePort("cql-port", cqlPort);
      requirePort("storage-port", storagePort);
      if (cqlPort != 0 && cqlPort == storagePort) {
        throw new IllegalArgumentException(
            "cql-port and storage-port must differ, both are " + cqlPort);
      }
      heapMegabytes(maxHeap);
      if (startTimeout.isZero() || startTimeout.isNegative()) {
        throw new IllegalArgumentException("start-timeout must be positive: " + startTimeout);
      }
    }

    /**
     * {@code ./data/cassandra}, 127.0.0.1, ports 9042 and 7000, 1g heap, 120 s to start, C1 only
     * ({@link #C1_ONLY}).
     */
    public static Settings defaults() {
      return new Settings(
          Path.of("./data/cassandra"),
          DEFAULT_HOST,
          9042,
          7000,
          "1g",
          Duration.ofSeconds(120),
          "",
          C1_ONLY);
    }

    /**
     * Reads {@code autoglm.cassandra.embedded { data-dir, cql-port, storage-port, max-heap,
     * start-timeout, java-home, jvm-options }} from a full config (defaults in this module's
     * reference.conf).
     */
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig(CONFIG_PATH);
      return new Settings(
          Path.of(c.getString("data-dir")),
          DEFAULT_HOST,
          c.getInt("cql-port"),
          c.getInt("storage-port"),
          c.getString("max-heap"),
          c.getDuration("start-timeout"),
          c.getString("java-home"),
          c.getStringList("jvm-options"));
    }

    public Settings withDataDir(Path dataDir) {
      return new Settings(
          dataDir, host, cqlPort, storagePort, maxHeap, startTimeout, javaHome, jvmOptions);
    }

    public Settings withHost(String host) {
      return new Settings(
          dataDir, host, cqlPort, storagePort, maxHeap, startTimeout, javaHome, jvmOptions);
    }

    public Settings withPorts(int cqlPort, int storagePort) {
      return new Settings(
          dataDir, host, cqlPort, storagePort, maxHeap, startTimeout, javaHome, jvmOptions);
    }

    public Settings withMaxHeap(String maxHeap) {
      return new Settings(
          dataDir, host, cqlPort, storagePort, maxHeap, startTimeout, javaHome, jvmOptions);
    }

    /** {@code ""}: find one, see {@link CassandraJava}. */
    public Settings withJavaHome(String javaHome) {
      return new Settings(
          dataDir, host, cqlPort, storagePort, maxHeap, startTimeout, javaHome, jvmOptions);
    }

    public Settings withJvmOptions(List<String> jvmOptions) {
      return new Settings(
          dataDir, host, cqlPort, storagePort, maxHeap, startTimeout, javaHome, jvmOptions);
    }

    public Settings withStartTimeout(Duration startTimeout) {
      return new Settings(
          dataDir, host, cqlPort, storagePort, maxHeap, startTimeout, javaHome, jvmOptions);
    }

    long maxHeapMegabytes() {
      return heapMegabytes(maxHeap);
    }

    private static long heapMegabytes(String size) {
      Matcher m = HEAP_SIZE.matcher(size.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "max-heap must look like 768m or 1g (a JVM -Xmx size), not '" + size + "'");
      }
      long n = Long.parseLong(m.group(1));
      long megabytes =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "g" -> n * 1024;
            case "m" -> n;
            case "k" -> n / 1024;
            default -> n / (1024 * 1024);
          };
      if (megabytes < 256) {
        throw new IllegalArgumentException(
            "max-heap " + size + " is too small for Cassandra; give it at least 256m");
      }
      return megabytes;
    }

    private static void requirePort(String name, int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(name + " must be 0..65535, not " + port);
      }
    }
  }

  private final Settings settings;
  private final CassandraFiles files;
  private final Process process; // null when reused
  private final Thread shutdownHook;
  private boolean closed;

  private EmbeddedCassandra(Settings settings, CassandraFiles files, Process process) {
    this.settings = settings;
    this.files = files;
    this.process = process;
    this.shutdownHook =
        process == null ? null : new Thread(this::stopOnShutdown, "embedded-cassandra-shutdown");
  }

  /**
   * Starts Cassandra, or reuses the one that already answers CQL on the configured port, and
   * returns once CQL answers.
   *
   * @throws CassandraStartException if it cannot be launched, exits, or does not answer within
   *     {@link Settings#startTimeout()}; the message carries the end of its log
   */
  public static EmbeddedCassandra start(Settings requested) {
    Settings settings = withFreePortsFor0(requested);
    String host = settings.host();
    int cqlPort = settings.cqlPort();
    if (CqlProbe.listening(host, cqlPort)) {
      if (!CqlProbe.answersCql(host, cqlPort)) {
        throw new CassandraStartException(
            "Port "
                + host
                + ":"
                + cqlPort
                + " is in use by something that does not answer CQL; free it or configure"
                + " another autoglm.cassandra.embedded.cql-port.");
      }
      log.info(
          "Cassandra already answers CQL on {}:{}; reusing it (no embedded instance started)",
          host,
          cqlPort);
      return new EmbeddedCassandra(settings, null, null);
    }

    CassandraJava.Found java = CassandraJava.find(settings.javaHome());
    CassandraFiles files = new CassandraFiles(settings.dataDir());
    prepareDataDir(files, settings);
    CassandraClasspath classpath = CassandraClasspath.load();
    List<String> command = command(settings, files, classpath, java.executable());
    log.info(
        "Starting embedded Cassandra {} on {}:{} (data {}, log {}, Java {} at {}: {})",
        classpath.version(),
        host,
        cqlPort,
        settings.dataDir(),
        settings.dataDir().resolve(files.log().getFileName()),
        java.version(),
        java.home(),
        java.how());
    log.debug("Embedded Cassandra command: {}", command);

    long startedAt = System.nanoTime();
    Process process;
    try {
      files.rotateLog();
      process =
          new ProcessBuilder(command)
              .directory(files.dataDir().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(files.log().toFile()))
              .start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new CassandraStartException(
          "Could not launch Cassandra (" + command.get(0) + "): " + e.getMessage(), e);
    }

    EmbeddedCassandra cassandra = new EmbeddedCassandra(settings, files, process);
    Runtime.getRuntime().addShutdownHook(cassandra.shutdownHook);
    try {
      Files.writeString(files.pidFile(), process.pid() + "\n", StandardCharsets.UTF_8);
      cassandra.awaitCql(startedAt);
    } catch (CassandraStartException e) {
      cassandra.close();
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cassandra.close();
      throw new CassandraStartException("Interrupted while waiting for Cassandra to start", e);
    } catch (IOException | RuntimeException e) {
      cassandra.close();
      throw new CassandraStartException("Could not start Cassandra: " + e, e);
    }
    log.info(
        "Embedded Cassandra ready in {} s (pid {})",
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - startedAt) / 1e9),
        process.pid());
    return cassandra;
  }

  /** A TCP port that was free on the loopback interface a moment ago. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on the loopback interface", e);
    }
  }

  public Settings settings() {
    return settings;
  }

  /** True if a Cassandra was already running on the port and this instance only points at it. */
  public boolean reused() {
    return process == null;
  }

  public String host() {
    return settings.host();
  }

  public int cqlPort() {
    return settings.cqlPort();
  }

  /** {@code host:port}, as {@code datastax-java-driver.basic.contact-points} wants it. */
  public String contactPoint() {
    return settings.host() + ":" + settings.cqlPort();
  }

  /** The child's pid, empty when reused. */
  public OptionalLong pid() {
    return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
  }

  /** The child's log file, empty when reused. */
  public Optional<Path> logFile() {
    return Optional.ofNullable(files).map(CassandraFiles::log);
  }

  /** Whether the child started here is still running (false when reused). */
  public boolean childAlive() {
    return process != null && process.isAlive();
  }

  /**
   * Stops a child started here: SIGTERM, up to 30 s for it to drain and exit, then SIGKILL. Does
   * nothing for a reused instance or when already closed.
   */
  @Override
  public synchronized void close() {
    if (process == null || closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to; stopping twice is harmless
    }
    stopChild();
  }

  /**
   * Takes away the JVM shutdown hook that would stop the child on exit: the caller promises to call
   * {@link #close()} itself, e.g. after the actor system that writes to Cassandra has stopped
   * (hooks run in no defined order, so the node's own hook does both, in order).
   */
  public synchronized void detachShutdownHook() {
    if (process == null || closed) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // already shutting down: the hook runs anyway
    }
  }

  private synchronized void stopOnShutdown() {
    if (!closed) {
      closed = true;
      stopChild();
    }
  }

  private void stopChild() {
    long stoppingAt = System.nanoTime();
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn(
              "Embedded Cassandra (pid {}) did not exit within {} s of SIGTERM; killing it",
              process.pid(),
              STOP_TIMEOUT.toSeconds());
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        log.info(
            "Stopped embedded Cassandra (pid {}) in {} s",
            process.pid(),
            String.format(Locale.ROOT, "%.1f", (System.nanoTime() - stoppingAt) / 1e9));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      try {
        Files.deleteIfExists(files.pidFile());
      } catch (IOException e) {
        log.warn("Could not delete {}: {}", files.pidFile(), e.toString());
      }
    }
  }

  private void awaitCql(long startedAt) throws InterruptedException {
    long deadline = startedAt + settings.startTimeout().toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw startFailure(
            "Cassandra exited with code " + process.exitValue() + " before CQL answered",
            files.logTail(LOG_TAIL_LINES));
      }
      if (CqlProbe.answersCql(settings.host(), settings.cqlPort())) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        String tail = files.logTail(LOG_TAIL_LINES); // before stopping adds shutdown noise
        throw startFailure(
            "Cassandra did not answer CQL on "
                + contactPoint()
                + " within "
                + settings.startTimeout().toSeconds()
                + " s (autoglm.cassandra.embedded.start-timeout); it was stopped",
            tail);
      }
      process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS); // returns at once if it exits
    }
  }

  private CassandraStartException startFailure(String reason, String logTail) {
    return new CassandraStartException(
        reason
            + ". Data dir: "
            + files.dataDir()
            + ", log: "
            + files.log()
            + ". Last lines of the log:\n"
            + logTail);
  }

  private static Settings withFreePortsFor0(Settings settings) {
    int cqlPort = settings.cqlPort() == 0 ? freePort() : settings.cqlPort();
    int storagePort = settings.storagePort();
    while (storagePort == 0 || storagePort == cqlPort) {
      storagePort = freePort();
    }
    return settings.withPorts(cqlPort, storagePort);
  }

  private static void prepareDataDir(CassandraFiles files, Settings settings) {
    Path dataDir = files.dataDir();
    if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
      throw new CassandraStartException(
          "Cassandra data dir "
              + dataDir
              + " exists and is not a directory; point autoglm.cassandra.embedded.data-dir"
              + " (AUTOGLM_CASSANDRA_DATA_DIR) at a directory.");
    }
    try {
      Files.createDirectories(dataDir);
      refuseIfAnotherCassandraOwns(files);
      files.writeYaml(settings.host(), settings.cqlPort(), settings.storagePort());
      files.writeLogbackXml();
    } catch (IOException e) {
      throw new CassandraStartException(
          "Could not prepare Cassandra data dir " + dataDir + ": " + e, e);
    }
  }

  /** Two Cassandras on one data dir would corrupt it; a live pid in the pid file means "taken". */
  private static void refuseIfAnotherCassandraOwns(CassandraFiles files) throws IOException {
    Path pidFile = files.pidFile();
    if (!Files.exists(pidFile)) {
      return;
    }
    String content = Files.readString(pidFile, StandardCharsets.UTF_8).strip();
    Optional<ProcessHandle> owner;
    try {
      owner = ProcessHandle.of(Long.parseLong(content));
    } catch (NumberFormatException e) {
      owner = Optional.empty();
    }
    boolean cassandraAlive =
        owner
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().commandLine().map(cmd -> cmd.contains(MAIN_CLASS)).orElse(true))
            .isPresent();
    if (cassandraAlive) {
      throw new CassandraStartException(
          "Cassandra data dir "
              + files.dataDir()
              + " is in use by a running Cassandra (pid "
              + content
              + ") that does not answer CQL on the configured port (still starting, or"
              + " configured with another port). Stop it (kill "
              + content
              + ") or use another data dir.");
    }
    Files.delete(pidFile); // stale: left behind by a child that was killed
  }

  private static List<String> command(
      Settings settings, CassandraFiles files, CassandraClasspath classpath, Path java) {
    long maxHeap = settings.maxHeapMegabytes();
    Path dataDir = files.dataDir();
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-Xms" + Math.max(256, maxHeap / 2) + "m");
    command.add("-Xmx" + maxHeap + "m");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.addAll(settings.jvmOptions());
    command.add("-Djava.net.preferIPv4Stack=true");
    command.addAll(JDK17_MODULE_FLAGS);
    command.add("-Dcassandra.config=" + files.yaml().toUri());
    command.add("-Dlogback.configurationFile=" + files.logbackXml());
    command.add("-Dcassandra-foreground=true"); // otherwise it closes stdout, our log
    command.add("-Dcassandra.storagedir=" + dataDir);
    command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    command.add("-Dcassandra.initial_token=0");
    // Cassandra measures its memtable row overhead with 100000 steps at start, seconds on two
    // cores; 100 is what its own test harness uses and is plenty for a single dev node.
    command.add("-Dcassandra.memtable_row_overhead_computation_step=100");
    command.add("-cp");
    command.add(classpath.classpath());
    command.add(MAIN_CLASS);
    return command;
  }
}
