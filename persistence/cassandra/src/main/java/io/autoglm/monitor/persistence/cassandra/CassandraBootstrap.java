package io.autoglm.monitor.persistence.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.internal.core.config.typesafe.DefaultDriverConfigLoader;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets Cassandra ready for a node before its ActorSystem starts: decides where Cassandra is
 * (configured contact points, or an embedded one started on demand), creates the persistence
 * schema, and returns the driver settings the ActorSystem's config must carry.
 *
 * <pre>{@code
 * Config config = ConfigFactory.load();
 * CassandraBootstrap.Prepared cassandra = CassandraBootstrap.prepare(config);
 * ActorSystem<?> system = ActorSystem.create(guardian, "autoglm", cassandra.applyTo(config));
 * system.getWhenTerminated().thenRun(cassandra::close);
 * }</pre>
 *
 * <p>Keys, under {@code autoglm.cassandra} (defaults in this module's reference.conf):
 *
 * <ul>
 *   <li>{@code contact-points}: list of {@code "host:port"}; empty means embedded. A
 *       comma-separated string is accepted too, so that {@code
 *       -Dautoglm.cassandra.contact-points=a:9042,b:9042} works.
 *   <li>{@code contact-points-env}: set from {@code AUTOGLM_CASSANDRA_CONTACT_POINTS}; HOCON cannot
 *       split an environment variable into a list, so this comma-separated string is parsed here,
 *       and when non-blank it wins over {@code contact-points}.
 *   <li>{@code local-datacenter}, {@code replication-factor}, {@code connect-timeout}.
 *   <li>{@code embedded { data-dir, cql-port, storage-port, max-heap, start-timeout }}: see {@link
 *       EmbeddedCassandra.Settings#fromConfig(Config)}.
 * </ul>
 */
public final class CassandraBootstrap {

  private static final Logger log = LoggerFactory.getLogger(CassandraBootstrap.class);

  private static final String ROOT = "autoglm.cassandra";
  private static final String DRIVER_ROOT = "datastax-java-driver";
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[^\\]]+\\]|[^:\\s\\[\\]]+):(\\d{1,5})");
  private static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(5);

  /**
   * The outcome of {@link #prepare}.
   *
   * @param driverConfig overlay setting {@code datastax-java-driver.basic.contact-points} and
   *     {@code basic.load-balancing-policy.local-datacenter}; put it in front of the node config
   *     ({@code driverConfig.withFallback(nodeConfig)}, or {@link #applyTo}) before creating the
   *     ActorSystem
   * @param embedded the embedded Cassandra, when no contact points were configured
   * @param contactPoints where Cassandra is, as {@code host:port}
   */
  public record Prepared(
      Config driverConfig, Optional<EmbeddedCassandra> embedded, List<String> contactPoints)
      implements AutoCloseable {

    public Prepared {
      contactPoints = List.copyOf(contactPoints);
    }

    /** {@code driverConfig.withFallback(nodeConfig)}. */
    public Config applyTo(Config nodeConfig) {
      return driverConfig.withFallback(nodeConfig);
    }

    /** Stops the embedded Cassandra if one was started (not if it was reused). */
    @Override
    public void close() {
      embedded.ifPresent(EmbeddedCassandra::close);
    }
  }

  private CassandraBootstrap() {}

  /**
   * Starts (or reuses) the embedded Cassandra when {@code autoglm.cassandra.contact-points} is
   * empty, then creates the journal and snapshot keyspaces named by {@code
   * pekko.persistence.cassandra.journal.keyspace} and {@code ...snapshot.keyspace}.
   *
   * @param config the node's full, resolved config
   * @throws CassandraStartException if the embedded Cassandra does not start
   * @throws IllegalStateException if Cassandra cannot be reached within {@code connect-timeout}
   */
  public static Prepared prepare(Config config) {
    Config cassandra = config.getConfig(ROOT);
    List<String> configured = contactPoints(cassandra);
    String localDatacenter = cassandra.getString("local-datacenter");
    int replicationFactor = cassandra.getInt("replication-factor");
    Duration connectTimeout = cassandra.getDuration("connect-timeout");

    Optional<EmbeddedCassandra> embedded = Optional.empty();
    List<String> contactPoints = configured;
    if (configured.isEmpty()) {
      EmbeddedCassandra started =
          EmbeddedCassandra.start(EmbeddedCassandra.Settings.fromConfig(config));
      embedded = Optional.of(started);
      contactPoints = List.of(started.contactPoint());
    }

    Config driverConfig = driverConfig(contactPoints, localDatacenter);
    try {
      createSchema(config, driverConfig, replicationFactor, connectTimeout);
    } catch (RuntimeException e) {
      embedded.ifPresent(EmbeddedCassandra::close);
      throw e;
    }
    return new Prepared(driverConfig, embedded, contactPoints);
  }

  /** The driver overlay for the given contact points and local datacenter. */
  public static Config driverConfig(List<String> contactPoints, String localDatacenter) {
    return ConfigFactory.empty()
        .withValue(
            DRIVER_ROOT + ".basic.contact-points", ConfigValueFactory.fromIterable(contactPoints))
        .withValue(
            DRIVER_ROOT + ".basic.load-balancing-policy.local-datacenter",
            ConfigValueFactory.fromAnyRef(localDatacenter));
  }

  /** The configured contact points ({@code autoglm.cassandra} subtree), validated. */
  static List<String> contactPoints(Config cassandra) {
    String fromEnv =
        cassandra.hasPath("contact-points-env") ? cassandra.getString("contact-points-env") : "";
    List<String> entries;
    String source;
    if (!fromEnv.isBlank()) {
      entries = splitCommas(fromEnv);
      source = ROOT + ".contact-points-env (AUTOGLM_CASSANDRA_CONTACT_POINTS)";
    } else if (cassandra.getValue("contact-points").valueType() == ConfigValueType.STRING) {
      entries = splitCommas(cassandra.getString("contact-points"));
      source = ROOT + ".contact-points";
    } else {
      entries = cassandra.getStringList("contact-points").stream().map(String::strip).toList();
      source = ROOT + ".contact-points";
    }
    for (String entry : entries) {
      Matcher m = HOST_PORT.matcher(entry);
      int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException(
            source + " entry '" + entry + "' is not host:port (e.g. 10.0.0.5:9042)");
      }
    }
    return entries;
  }

  private static List<String> splitCommas(String value) {
    return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static void createSchema(
      Config config, Config driverConfig, int replicationFactor, Duration connectTimeout) {
    String journalKeyspace = config.getString("pekko.persistence.cassandra.journal.keyspace");
    String snapshotKeyspace = config.getString("pekko.persistence.cassandra.snapshot.keyspace");
    try (CqlSession session = openSession(config, driverConfig, connectTimeout)) {
      CassandraSchema.create(session, journalKeyspace, snapshotKeyspace, replicationFactor);
    }
  }

  /**
   * A session for schema work (the caller closes it), with {@code driverConfig} in front of the
   * {@code datastax-java-driver} settings of {@code config}, so credentials or TLS configured there
   * apply, and a 60 s request timeout for DDL. Each attempt fails fast instead of following the
   * node's {@code reconnect-on-init}; attempts are retried here until {@code connectTimeout}, as
   * Cassandra started next to the node (compose, Kubernetes) may come up later than the node.
   *
   * @throws IllegalStateException if no contact point answers within {@code connectTimeout}
   */
  public static CqlSession openSession(
      Config config, Config driverConfig, Duration connectTimeout) {
    Config sessionConfig =
        ConfigFactory.parseMap(
                Map.of(
                    DRIVER_ROOT + ".basic.session-name", "autoglm-schema",
                    DRIVER_ROOT + ".advanced.reconnect-on-init", false,
                    DRIVER_ROOT + ".basic.request.timeout", "60s"))
            .withFallback(driverConfig)
            .withFallback(config)
            .withFallback(ConfigFactory.defaultReference(CqlSession.class.getClassLoader()))
            .resolve()
            .getConfig(DRIVER_ROOT);
    List<String> contactPoints = sessionConfig.getStringList("basic.contact-points");
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    Duration pause = Duration.ofMillis(500);
    while (true) {
      try {
        return CqlSession.builder()
            .withConfigLoader(new DefaultDriverConfigLoader(() -> sessionConfig, false))
            .build();
      } catch (AllNodesFailedException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              "Cannot reach Cassandra at "
                  + contactPoints
                  + " (local datacenter "
                  + sessionConfig.getString("basic.load-balancing-policy.local-datacenter")
                  + ") within "
                  + connectTimeout.toSeconds()
                  + " s (autoglm.cassandra.connect-timeout): "
                  + e.getMessage(),
              e);
        }
        log.info("Cassandra at {} not reachable yet: {}; retrying", contactPoints, e.getMessage());
        pauseFor(pause);
        Duration doubled = pause.multipliedBy(2);
        pause = doubled.compareTo(MAX_RETRY_PAUSE) > 0 ? MAX_RETRY_PAUSE : doubled;
      }
    }
  }

  private static void pauseFor(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Cassandra", e);
    }
  }
}
