package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code autoglm.cluster}: the defaults, what the environment variables a Kubernetes pod sets make
 * of Pekko's bootstrap and discovery settings, and a bad value naming its key at start.
 */
class ClusterJoinTest {

  /**
   * The node's configuration as {@code ConfigFactory.load()} makes it in a process whose
   * environment holds {@code env}: {@code ${?NAME}} finds a root key of the config being resolved
   * before the real environment.
   */
  private static Config withEnv(Map<String, String> env) {
    Config environment = ConfigFactory.parseMap(env);
    Config reference =
        ConfigFactory.parseResources("reference.conf").withFallback(environment).resolve();
    return ConfigFactory.parseResources("application.conf")
        .withFallback(environment)
        .withFallback(reference)
        .resolve();
  }

  private static ClusterJoin.Settings with(Map<String, Object> overrides) {
    return ClusterJoin.Settings.fromConfig(
        ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load()).resolve());
  }

  private static String refused(Map<String, Object> overrides) {
    return assertThrows(IllegalArgumentException.class, () -> with(overrides)).getMessage();
  }

  @Test
  void byDefaultSeedNodesAndNoManagement() {
    ClusterJoin.Settings s = ClusterJoin.Settings.fromConfig(withEnv(Map.of()));
    assertEquals(ClusterJoin.Bootstrap.SEED_NODES, s.bootstrap());
    assertFalse(s.managementEnabled());
    assertEquals("127.0.0.1", s.managementHostname());
    assertEquals("127.0.0.1", s.managementBindHostname());
    assertEquals(8558, s.managementPort());
  }

  @Test
  void managementCanBeOnWithSeedNodes() {
    ClusterJoin.Settings s =
        ClusterJoin.Settings.fromConfig(withEnv(Map.of("AUTOGLM_MANAGEMENT_ENABLED", "on")));
    assertEquals(ClusterJoin.Bootstrap.SEED_NODES, s.bootstrap());
    assertTrue(s.managementEnabled());
  }

  @Test
  void kubernetesBootstrapIsClusterBootstrapOverTheKubernetesApi() {
    Config config =
        withEnv(
            Map.of(
                "AUTOGLM_CLUSTER_BOOTSTRAP", "kubernetes",
                "AUTOGLM_CLUSTER_HOST", "10.1.2.3",
                "AUTOGLM_MANAGEMENT_BIND_HOSTNAME", "0.0.0.0",
                "AUTOGLM_BOOTSTRAP_REQUIRED_CONTACT_POINTS", "3",
                "AUTOGLM_KUBERNETES_POD_LABEL_SELECTOR", "app=monitor,tier=node"));
    ClusterJoin.Settings s = ClusterJoin.Settings.fromConfig(config);
    assertEquals(ClusterJoin.Bootstrap.KUBERNETES, s.bootstrap());
    assertTrue(s.managementEnabled(), "kubernetes bootstrap needs the management endpoint");
    // what Pekko itself reads
    assertEquals("10.1.2.3", config.getString("pekko.management.http.hostname"));
    assertEquals("0.0.0.0", config.getString("pekko.management.http.bind-hostname"));
    assertEquals(8558, config.getInt("pekko.management.http.port"));
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    assertEquals("kubernetes-api", config.getString(discovery + "discovery-method"));
    assertEquals(3, config.getInt(discovery + "required-contact-point-nr"));
    // no port name: contact points are probed on the management port (the fallback port)
    assertEquals("", config.getString(discovery + "port-name"));
    assertEquals(
        "app=monitor,tier=node",
        config.getString("pekko.discovery.kubernetes-api.pod-label-selector"));
    assertTrue(config.getBoolean("pekko.discovery.kubernetes-api.use-raw-ip"));
    assertEquals(
        "org.apache.pekko.discovery.kubernetes.KubernetesApiServiceDiscovery",
        config.getString("pekko.discovery.kubernetes-api.class"));
    assertTrue(config.getStringList("pekko.cluster.seed-nodes").isEmpty());
  }

  @Test
  void readinessChecksTheApiAndTheMembership() {
    Config checks = withEnv(Map.of()).getConfig("pekko.management.health-checks.readiness-checks");
    assertEquals(ApiReadiness.class.getName(), checks.getString("http-api"));
    assertEquals(
        "org.apache.pekko.management.cluster.scaladsl.ClusterMembershipCheck",
        checks.getString("cluster-membership"));
  }

  @Test
  void aBadValueNamesItsKey() {
    assertTrue(
        refused(Map.of("autoglm.cluster.bootstrap", "consul"))
            .contains("autoglm.cluster.bootstrap (environment AUTOGLM_CLUSTER_BOOTSTRAP)"));
    assertTrue(
        refused(Map.of("autoglm.cluster.management.enabled", "maybe"))
            .contains("autoglm.cluster.management.enabled"));
    assertTrue(
        refused(
                Map.of(
                    "autoglm.cluster.management.enabled",
                    true,
                    "pekko.management.http.port",
                    70_000))
            .contains("pekko.management.http.port (environment AUTOGLM_MANAGEMENT_PORT)"));
    assertTrue(
        refused(
                Map.of(
                    "autoglm.cluster.management.enabled",
                    true,
                    "pekko.management.http.port",
                    "eighty"))
            .contains("pekko.management.http.port"));
    // the Kubernetes keys are checked when they are used
    assertEquals(
        ClusterJoin.Bootstrap.SEED_NODES,
        with(Map.of(
                "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr",
                0))
            .bootstrap());
  }

  @Test
  void kubernetesBootstrapRefusesWhatCannotWork() {
    Map<String, Object> kubernetes =
        Map.of(
            "autoglm.cluster.bootstrap", "kubernetes",
            "pekko.management.http.bind-hostname", "0.0.0.0");
    assertTrue(
        refused(
                merged(
                    kubernetes,
                    Map.of("pekko.cluster.seed-nodes", List.of("pekko://autoglm@10.0.0.1:25520"))))
            .contains("pekko.cluster.seed-nodes must be empty"));
    assertTrue(
        refused(
                merged(
                    kubernetes,
                    Map.of(
                        "pekko.management.cluster.bootstrap.contact-point-discovery"
                            + ".required-contact-point-nr",
                        0)))
            .contains("required-contact-point-nr"));
    assertTrue(
        refused(merged(kubernetes, Map.of("pekko.discovery.kubernetes-api.pod-label-selector", "")))
            .contains("pekko.discovery.kubernetes-api.pod-label-selector"));
    // reachable by the others at the pod IP, but listening on loopback only
    assertTrue(
        refused(
                Map.of(
                    "autoglm.cluster.bootstrap", "kubernetes",
                    "pekko.management.http.hostname", "10.1.2.3"))
            .contains("pekko.management.http.bind-hostname"));
    // on one machine (tests) loopback is fine
    assertTrue(with(Map.of("autoglm.cluster.bootstrap", "kubernetes")).managementEnabled());
  }

  private static Map<String, Object> merged(Map<String, Object> a, Map<String, Object> b) {
    var m = new java.util.HashMap<>(a);
    m.putAll(b);
    return m;
  }
}
