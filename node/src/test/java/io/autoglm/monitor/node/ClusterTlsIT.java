package io.autoglm.monitor.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between the nodes (cluster.conf's {@code AUTOGLM_CLUSTER_*} settings, certificates
 * from deploy/tls/make-cluster-certs.sh): nodes with certificates of the cluster's CA form a
 * cluster, a node whose certificate another CA signed is refused. Plain actor systems with the
 * node's cluster.conf: no Cassandra, no HTTP.
 */
class ClusterTlsIT {
  private static final Path MAKE_CERTS = Checkout.file("deploy", "tls", "make-cluster-certs.sh");

  /** How long the foreign node gets to join; the good node joins well within it. */
  private static final Duration REFUSED_FOR = Duration.ofSeconds(20);

  private static final Duration UP_WITHIN = Duration.ofSeconds(30);

  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @TempDir Path tmp;

  @AfterEach
  void stopAll() throws Exception {
    for (ActorSystem<Void> system : systems) {
      system.terminate();
    }
    for (ActorSystem<Void> system : systems) {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutEnvironmentTheTransportIsPlainTcp() {
    Config config =
        ConfigFactory.parseResources("cluster.conf")
            .withFallback(ConfigFactory.defaultReference())
            .resolve(ConfigResolveOptions.noSystem());
    assertEquals("tcp", config.getString("pekko.remote.artery.transport"));
    assertTrue(
        config.getBoolean(
            "pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication"));
  }

  @Test
  void onlyNodesWithTheClustersCertificateJoin() throws Exception {
    Path good = tmp.resolve("good");
    Path foreign = tmp.resolve("foreign");
    makeCerts(good, "a", "b");
    makeCerts(foreign, "c");

    ActorSystem<Void> a = start(tls(good, "a", good), List.of());
    Address aAddress = address(a);
    assertEquals("tls-tcp", a.settings().config().getString("pekko.remote.artery.transport"));
    ActorSystem<Void> b = start(tls(good, "b", good), List.of(aAddress));
    Set<Address> ab = Set.of(aAddress, address(b));
    // the positive control: the same setup with the right certificates makes a cluster
    await()
        .atMost(UP_WITHIN)
        .untilAsserted(
            () -> {
              assertEquals(ab, upMembers(a), "a's Up members");
              assertEquals(ab, upMembers(b), "b's Up members");
            });

    // c trusts the cluster's CA but shows a certificate of its own CA: a must refuse it
    ActorSystem<Void> c = start(tls(foreign, "c", good), List.of(aAddress));
    await()
        .during(REFUSED_FOR)
        .atMost(REFUSED_FOR.plusSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertEquals(ab, members(a), "a's members");
              assertEquals(ab, upMembers(a), "a's Up members");
              assertEquals(Set.of(), members(c), "c is in no cluster");
            });
  }

  /** Runs the real script; its output goes to the test's log. */
  private static void makeCerts(Path dir, String... nodes)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", MAKE_CERTS.toString(), dir.toString()));
    command.addAll(List.of(nodes));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), "make-cluster-certs.sh did not finish");
    System.out.println(output);
    assertEquals(0, process.exitValue(), output);
    for (String node : nodes) {
      assertTrue(Files.isRegularFile(dir.resolve(node).resolve("keystore.p12")), output);
    }
  }

  /**
   * The environment of a node with {@code node}'s keystore from {@code keys} and the truststore of
   * {@code trusted}, as make-cluster-certs.sh prints it.
   */
  private static Map<String, String> tls(Path keys, String node, Path trusted) throws IOException {
    return Map.of(
        "AUTOGLM_CLUSTER_TRANSPORT", "tls-tcp",
        "AUTOGLM_CLUSTER_KEYSTORE", keys.resolve(node).resolve("keystore.p12").toString(),
        "AUTOGLM_CLUSTER_KEYSTORE_PASSWORD", Files.readString(keys.resolve("store-password")),
        "AUTOGLM_CLUSTER_TRUSTSTORE", trusted.resolve("truststore.p12").toString(),
        "AUTOGLM_CLUSTER_TRUSTSTORE_PASSWORD", Files.readString(trusted.resolve("store-password")));
  }

  /**
   * A system "autoglm" on cluster.conf whose {@code ${?AUTOGLM_...}} overrides read {@code env}
   * (and not this JVM's environment), on a free loopback port, joining {@code seeds} (itself if
   * none).
   */
  private ActorSystem<Void> start(Map<String, String> env, List<Address> seeds) {
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    "pekko.remote.artery.canonical.hostname",
                    "127.0.0.1",
                    "pekko.remote.artery.canonical.port",
                    0,
                    "pekko.cluster.seed-nodes",
                    seeds.stream().map(Address::toString).toList(),
                    // several clusters in one JVM (else a warning per system)
                    "pekko.cluster.jmx.multi-mbeans-in-same-jvm",
                    "on"))
            .withFallback(ConfigFactory.parseResources("cluster.conf"))
            .withFallback(ConfigFactory.parseMap(env))
            .withFallback(ConfigFactory.defaultReference())
            .resolve(ConfigResolveOptions.noSystem());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "autoglm", config);
    systems.add(system);
    if (seeds.isEmpty()) {
      Cluster.get(system).manager().tell(Join.create(address(system))); // the first node: itself
    }
    return system;
  }

  private static Address address(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address();
  }

  private static Set<Address> members(ActorSystem<?> system) {
    return addresses(system, m -> true);
  }

  private static Set<Address> upMembers(ActorSystem<?> system) {
    return addresses(system, m -> m.status().equals(MemberStatus.up()));
  }

  private static Set<Address> addresses(ActorSystem<?> system, Predicate<Member> which) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(which)
        .map(Member::address)
        .collect(Collectors.toSet());
  }
}
