package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import io.autoglm.monitor.node.ingest.IngestCounters;
import io.autoglm.monitor.node.metrics.MetricsRoutes;
import io.autoglm.monitor.persistence.cassandra.CassandraBootstrap;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.stats.StatsCounters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A running node: Cassandra prepared (embedded or external, schema in place), the actor system with
 * its {@link Guardian}, and HTTP bound. Used by {@link Main} and by tests, which start several in
 * one JVM.
 */
public final class Node implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final CassandraBootstrap.Prepared cassandra;
  private final StatsCounters counters;
  private final IngestCounters ingestCounters;
  private final RuleCache rules;

  private Node(
      ActorSystem<Void> system,
      ServerBinding binding,
      CassandraBootstrap.Prepared cassandra,
      StatsCounters counters,
      IngestCounters ingestCounters,
      RuleCache rules) {
    this.system = system;
    this.binding = binding;
    this.cassandra = cassandra;
    this.counters = counters;
    this.ingestCounters = ingestCounters;
    this.rules = rules;
  }

  /** Starts a node from a full, resolved config (e.g. {@code ConfigFactory.load()}). */
  public static Node start(Config config) {
    return start(config, NodeClock.SYSTEM);
  }

  /** {@link #start(Config)} with the clock the node reads (tests pass one they control). */
  public static Node start(Config config, NodeClock clock) {
    PortCheck.requireFree(config); // before Cassandra: a taken port fails in a second, not 25
    ClusterJoin.Settings.fromConfig(config); // a bad value, too
    DataCenters.fromConfig(config);
    HttpsSettings.fromConfig(config); // a keystore or PEM file that does not open, too
    io.autoglm.monitor.node.auth.AuthSettings.fromConfig(config); // a bad token or file, too
    ConfiguredSilences.fromConfig(config, java.time.Instant.now()); // and a bad silence
    CassandraBootstrap.Prepared cassandra = CassandraBootstrap.prepare(config);
    CompletableFuture<ServerBinding> bound = new CompletableFuture<>();
    // the per-endpoint series of GET /metrics, counted as the entities persist
    StatsCounters counters = new StatsCounters(MetricsRoutes.endpointMeter(config, clock));
    IngestCounters ingestCounters = new IngestCounters();
    RuleCache rules = new RuleCache();
    ActorSystem<Void> system =
        ActorSystem.create(
            Guardian.create(bound, counters, ingestCounters, rules, clock),
            "autoglm",
            cassandra.applyTo(config));
    if (!JvmDefaults.asyncStagesPooled()) {
      system
          .log()
          .warn(
              "the JVM's common pool has one thread: every answer to an ask starts a thread;"
                  + " start with -D{}=2 or call JvmDefaults.apply() first",
              JvmDefaults.COMMON_POOL_PARALLELISM);
    }
    try {
      Duration startTimeout = NodeSettings.fromConfig(config).startTimeout();
      return new Node(
          system,
          bound.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS),
          cassandra,
          counters,
          ingestCounters,
          rules);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      system.terminate();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("the node did not start: " + cause, cause);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  public String baseUrl() {
    InetSocketAddress a = binding.localAddress();
    String scheme =
        system.settings().config().getBoolean("autoglm.http.tls.enabled") ? "https" : "http";
    return scheme + "://" + a.getHostString() + ":" + a.getPort();
  }

  /** What this node's entities have written so far. */
  public StatsCounters counters() {
    return counters;
  }

  /** This node's copy of the rule book: what its entities evaluate as windows close. */
  public RuleCache rules() {
    return rules;
  }

  /** What this node's agent streams hold in memory. */
  public IngestCounters ingestCounters() {
    return ingestCounters;
  }

  /**
   * A token of role admin for tools running beside this node (the demo): the configured admin
   * token, else the first admin token from its file (empty when neither is there, e.g. the file was
   * deleted after the first start).
   */
  public java.util.Optional<String> localAdminToken() {
    var auth = io.autoglm.monitor.node.auth.AuthSettings.fromConfig(system.settings().config());
    if (auth.adminToken().isPresent()) {
      return auth.adminToken();
    }
    try {
      return java.util.Optional.of(java.nio.file.Files.readString(auth.firstTokenFile()).trim());
    } catch (java.io.IOException e) {
      return java.util.Optional.empty();
    }
  }

  public CassandraBootstrap.Prepared cassandra() {
    return cassandra;
  }

  /** Stops the actor system (leaving the cluster) and waits for it; Cassandra stays up. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the node did not stop within 60 s", e);
    }
  }
}
