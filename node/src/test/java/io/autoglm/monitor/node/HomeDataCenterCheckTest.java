package io.autoglm.monitor.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.sharding.DataCenterScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.Valid;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every node of a cluster names the same home data center, or it is refused when it joins. */
class HomeDataCenterCheckTest {
  private final List<ActorSystem<?>> systems = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ActorSystem<?> system : systems) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Config home(String dataCenter) {
    return ConfigFactory.parseMap(Map.of(DataCenters.HOME, dataCenter));
  }

  @Test
  void theSameHomeIsValidAnotherIsNotAndNoneIsLetIn() {
    HomeDataCenterCheck check = new HomeDataCenterCheck();
    assertEquals(
        List.of(DataCenters.HOME),
        scala.jdk.javaapi.CollectionConverters.asJava(check.requiredKeys()));
    assertEquals(Valid.getInstance(), check.check(home("dc1"), home("dc1")));
    Invalid refused = assertInstanceOf(Invalid.class, check.check(home("dc2"), home("dc1")));
    String message = refused.errorMessages().head();
    assertTrue(message.contains("'dc2' on the joining node and 'dc1' in the cluster"), message);
    // a node of a version without the setting (a rolling update)
    assertEquals(Valid.getInstance(), check.check(ConfigFactory.empty(), home("dc1")));
  }

  @Test
  void theNodesConfigurationHasItsDefaultsAndTheCheck() {
    Config config = ConfigFactory.load();
    assertEquals(
        HomeDataCenterCheck.class.getName(),
        config.getString(
            "pekko.cluster.configuration-compatibility-check.checkers.autoglm-home-data-center"));
    assertEquals(new DataCenters("default", "default"), DataCenters.fromConfig(config));
    assertTrue(DataCenters.fromConfig(config).atHome());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            DataCenters.fromConfig(
                ConfigFactory.parseMap(Map.of(DataCenterScope.SELF_DATA_CENTER, "dc|2"))
                    .withFallback(config)));
  }

  @Test
  void aNodeWithAnotherHomeIsRefusedAndStops() throws Exception {
    ActorSystem<Void> first = start("dc1", "dc1", List.of());
    Address firstAddress = Cluster.get(first).selfMember().address();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Cluster.get(first).selfMember().status().equals(MemberStatus.up()));

    ActorSystem<Void> refused = start("dc2", "dc2", List.of(firstAddress));
    refused.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals(Set.of(firstAddress), members(first), "the cluster is the first node alone");
  }

  private ActorSystem<Void> start(String dataCenter, String home, List<Address> seeds) {
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
                    "on",
                    DataCenterScope.SELF_DATA_CENTER,
                    dataCenter,
                    DataCenters.HOME,
                    home))
            .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "autoglm", config);
    systems.add(system);
    if (seeds.isEmpty()) {
      Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
    }
    return system;
  }

  private static Set<Address> members(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .map(Member::address)
        .collect(Collectors.toSet());
  }
}
