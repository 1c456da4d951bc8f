package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How the node joins its cluster ({@code autoglm.cluster.bootstrap}) and whether it serves the
 * management endpoint ({@code autoglm.cluster.management.enabled}): the seed nodes of {@code
 * pekko.cluster.seed-nodes} (itself when there are none), or Pekko's Cluster Bootstrap with the
 * Kubernetes API as its discovery, which needs the management endpoint (the other pods probe it).
 * What the endpoint and the discovery do is Pekko's own configuration ({@code pekko.management},
 * {@code pekko.discovery.kubernetes-api} in application.conf); this class only starts them.
 */
public final class ClusterJoin {
  static final String BOOTSTRAP = "autoglm.cluster.bootstrap";
  static final String MANAGEMENT_ENABLED = "autoglm.cluster.management.enabled";
  static final String MANAGEMENT_HOSTNAME = "pekko.management.http.hostname";
  static final String MANAGEMENT_BIND_HOSTNAME = "pekko.management.http.bind-hostname";
  static final String MANAGEMENT_PORT = "pekko.management.http.port";
  static final String DISCOVERY = "pekko.management.cluster.bootstrap.contact-point-discovery.";
  static final String DISCOVERY_METHOD = DISCOVERY + "discovery-method";
  static final String REQUIRED_CONTACT_POINTS = DISCOVERY + "required-contact-point-nr";
  static final String POD_LABEL_SELECTOR = "pekko.discovery.kubernetes-api.pod-label-selector";
  static final String SEED_NODES = "pekko.cluster.seed-nodes";

  private ClusterJoin() {}

  /** How the node finds the other members of its cluster. */
  public enum Bootstrap {
    /** {@code pekko.cluster.seed-nodes}, or a cluster of one when the list is empty. */
    SEED_NODES,
    /** Cluster Bootstrap over the Kubernetes API (pekko-discovery-kubernetes-api). */
    KUBERNETES;

    /** Its value in {@code autoglm.cluster.bootstrap}. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * The settings ClusterJoin acts on, checked: a bad value names its key (and environment variable)
   * when the node starts, before Cassandra does.
   *
   * @param managementEnabled whether the management endpoint runs: on when configured, and always
   *     with {@link Bootstrap#KUBERNETES}
   * @param managementBindHostname the interface it listens on ({@code hostname} when configured
   *     empty)
   */
  public record Settings(
      Bootstrap bootstrap,
      boolean managementEnabled,
      String managementHostname,
      String managementBindHostname,
      int managementPort,
      String discoveryMethod,
      String podLabelSelector,
      int requiredContactPoints) {

    public static Settings fromConfig(Config config) {
      Bootstrap bootstrap = bootstrap(config);
      boolean kubernetes = bootstrap == Bootstrap.KUBERNETES;
      boolean management =
          kubernetes || flag(config, MANAGEMENT_ENABLED, "AUTOGLM_MANAGEMENT_ENABLED");
      String hostname = config.getString(MANAGEMENT_HOSTNAME);
      String bindHostname = config.getString(MANAGEMENT_BIND_HOSTNAME);
      Settings settings =
          new Settings(
              bootstrap,
              management,
              hostname,
              bindHostname.isEmpty() ? hostname : bindHostname,
              number(config, MANAGEMENT_PORT, "AUTOGLM_MANAGEMENT_PORT"),
              config.getString(DISCOVERY_METHOD),
              config.getString(POD_LABEL_SELECTOR),
              number(config, REQUIRED_CONTACT_POINTS, "AUTOGLM_BOOTSTRAP_REQUIRED_CONTACT_POINTS"));
      if (management) {
        settings.requireManagement();
      }
      if (kubernetes) {
        settings.requireKubernetes(config.getStringList(SEED_NODES));
      }
      return settings;
    }

    private void requireManagement() {
      if (managementHostname.isBlank()) {
        throw new IllegalArgumentException(
            MANAGEMENT_HOSTNAME + " (environment AUTOGLM_MANAGEMENT_HOSTNAME) must not be empty");
      }
      if (managementPort < 0 || managementPort > 65_535) {
        throw new IllegalArgumentException(
            MANAGEMENT_PORT
                + " (environment AUTOGLM_MANAGEMENT_PORT) must be 0..65535, got "
                + managementPort);
      }
    }

    private void requireKubernetes(List<String> seedNodes) {
      String mode = BOOTSTRAP + " = " + Bootstrap.KUBERNETES.configValue();
      if (!seedNodes.isEmpty()) {
        throw new IllegalArgumentException(
            mode
                + " finds the other nodes itself: "
                + SEED_NODES
                + " must be empty, is "
                + seedNodes);
      }
      if (requiredContactPoints < 1) {
        throw new IllegalArgumentException(
            REQUIRED_CONTACT_POINTS
                + " (environment AUTOGLM_BOOTSTRAP_REQUIRED_CONTACT_POINTS) must be at least 1, got "
                + requiredContactPoints);
      }
      if (podLabelSelector.isBlank()) {
        throw new IllegalArgumentException(
            POD_LABEL_SELECTOR
                + " (environment AUTOGLM_KUBERNETES_POD_LABEL_SELECTOR) must name the pods of the"
                + " cluster, e.g. app=autoglm-node");
      }
      // the other pods probe this node at hostname: an endpoint on loopback only never answers
      if (loopback(managementBindHostname) && !loopback(managementHostname)) {
        throw new IllegalArgumentException(
            mode
                + ": the other pods reach this node's management endpoint at "
                + managementHostname
                + ", but it listens on "
                + managementBindHostname
                + " only; set "
                + MANAGEMENT_BIND_HOSTNAME
                + " (environment AUTOGLM_MANAGEMENT_BIND_HOSTNAME) to 0.0.0.0");
      }
    }

    private static Bootstrap bootstrap(Config config) {
      String value = config.getString(BOOTSTRAP);
      for (Bootstrap b : Bootstrap.values()) {
        if (b.configValue().equals(value)) {
          return b;
        }
      }
      throw new IllegalArgumentException(
          BOOTSTRAP
              + " (environment AUTOGLM_CLUSTER_BOOTSTRAP) must be seed-nodes or kubernetes, got '"
              + value
              + "'");
    }

    private static boolean flag(Config config, String key, String env) {
      try {
        return config.getBoolean(key);
      } catch (ConfigException.WrongType e) {
        throw new IllegalArgumentException(
            key + " (environment " + env + ") must be on or off, got " + rendered(config, key), e);
      }
    }

    private static int number(Config config, String key, String env) {
      try {
        return config.getInt(key);
      } catch (ConfigException.WrongType e) {
        throw new IllegalArgumentException(
            key + " (environment " + env + ") must be a number, got " + rendered(config, key), e);
      }
    }

    private static String rendered(Config config, String key) {
      return config.getValue(key).render();
    }

    private static boolean loopback(String host) {
      return host.equals("localhost") || host.startsWith("127.") || host.matches("\\[?::1]?");
    }
  }

  /**
   * Joins the cluster as configured and starts the management endpoint if it is enabled. A
   * management endpoint that cannot listen fails {@code bound}, and with it the node's start; its
   * readiness check {@link ApiReadiness} follows {@code bound}.
   */
  static void start(ActorSystem<?> system, CompletableFuture<ServerBinding> bound) {
    Settings settings = Settings.fromConfig(system.settings().config());
    if (settings.managementEnabled()) {
      ApiReadiness.follow(system, bound);
      PekkoManagement.get(system)
          .start()
          .whenComplete(
              (uri, failure) -> {
                if (failure != null) {
                  Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                  bound.completeExceptionally(
                      new IllegalStateException(
                          "the management endpoint cannot listen on "
                              + settings.managementBindHostname()
                              + ":"
                              + settings.managementPort()
                              + " ("
                              + cause.getMessage()
                              + "); stop what listens there or set "
                              + MANAGEMENT_PORT
                              + " (environment AUTOGLM_MANAGEMENT_PORT)",
                          failure));
                }
              });
    }
    if (settings.bootstrap() == Bootstrap.KUBERNETES) {
      try {
        // after the management endpoint: bootstrap learns its own contact point from it
        ClusterBootstrap.get(system).start();
      } catch (Exception e) { // Scala throws checked ones too (NoSuchFileException)
        // outside a pod the discovery cannot even be made (no service account files): fail the
        // start now rather than wait start-timeout for a cluster that never forms
        bound.completeExceptionally(
            new IllegalStateException(
                BOOTSTRAP
                    + " = kubernetes, but the Kubernetes API cannot be used ("
                    + e
                    + "); run the node in a pod with a service account that may list pods"
                    + " (deploy/k8s), or use seed-nodes",
                e));
      }
    } else if (system.settings().config().getStringList(SEED_NODES).isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }
}
