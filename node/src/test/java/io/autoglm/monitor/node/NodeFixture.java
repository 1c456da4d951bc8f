package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.testkit.TestCassandra;
import io.autoglm.monitor.protocols.capture.TestRecords;
import io.autoglm.monitor.sharding.NodeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Starts nodes on the shared test Cassandra, and builds capture traffic. */
public final class NodeFixture {
  /** 2026-01-01T00:00:00Z: a window boundary, in the past, as in a replay. */
  public static final long T0 = TestRecords.T0;

  private NodeFixture() {}

  /**
   * Paced for tests, unless {@code overrides} say otherwise: an entity writes at most every 50 ms
   * (1 s in production) and the agent stream flushes every 100 ms (1 s), so that a test sending
   * batch after batch does not wait a second for each. The coalescing itself stays on. No default
   * rules are installed.
   */
  private static final Map<String, Object> TEST_PACING =
      Map.of(
          "autoglm.stats.min-write-interval",
          "50ms",
          "autoglm.ingest.stream.flush-interval",
          "100ms",
          // tests of other things than tokens call the API without one; AuthMatrixIT and the
          // tests of the console, the CLI and Prometheus turn auth on with an admin token
          "autoglm.auth.enabled",
          false,
          // a test's rules are those it installs (DefaultRulesIT turns the defaults on)
          "autoglm.rules.install-defaults",
          false,
          // tests' webhook receivers listen on this machine; the SSRF guard refuses it otherwise
          "autoglm.notifier.allowed-networks",
          java.util.List.of("127.0.0.1/32"));

  /** A config on a fresh keyspace with free ports; {@code overrides} are config paths. */
  public static Config freshConfig(Map<String, Object> overrides) {
    return ConfigFactory.parseMap(
            Map.of(
                "autoglm.http.port", 0,
                "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.parseMap(overrides))
        .withFallback(ConfigFactory.parseMap(TEST_PACING))
        .withFallback(TestCassandra.shared().testConfig())
        .resolve();
  }

  /** {@code base} for a member of a cluster whose seed listens on {@code seedPort}. */
  public static Config clusterMember(Config base, int seedPort, int ownPort) {
    return ConfigFactory.parseMap(
            Map.of(
                "pekko.remote.artery.canonical.port",
                ownPort,
                "pekko.cluster.seed-nodes",
                java.util.List.of("pekko://autoglm@127.0.0.1:" + seedPort)))
        .withFallback(base);
  }

  /**
   * The port {@code node}'s cluster transport is bound to (it binds port 0 in tests), for the
   * seed-nodes of the next member.
   */
  public static int clusterPort(Node node) {
    return org.apache.pekko.cluster.typed.Cluster.get(node.system())
        .selfMember()
        .address()
        .getPort()
        .orElseThrow();
  }

  /**
   * A clock whose wall time stands still at {@code wallMillis} (the monotonic time runs): quiet
   * windows never close by the wall clock, so a test's closed windows are those its traffic's event
   * time closed, however slow the machine.
   */
  public static NodeClock wallClockAt(long wallMillis) {
    return new NodeClock() {
      @Override
      public long wallMillis() {
        return wallMillis;
      }

      @Override
      public long monotonicNanos() {
        return System.nanoTime();
      }
    };
  }

  /**
   * Requests counted in an endpoint's stats answer: the sum over its minutes (every record the
   * endpoint keeps in memory, back to {@code max-window}).
   */
  public static long countInMinutes(com.fasterxml.jackson.databind.JsonNode stats) {
    long n = 0;
    for (com.fasterxml.jackson.databind.JsonNode w : stats.get("minutes")) {
      n += w.get("count").asLong();
    }
    return n;
  }

  /** A node on a fresh keyspace with {@code hocon} (e.g. its receivers and routes) over it. */
  public static Node startWith(String hocon) {
    return Node.start(
        ConfigFactory.parseString(hocon).withFallback(freshConfig(Map.of())).resolve());
  }

  /**
   * Puts rule {@code id}: error rate above 20 % over the default window, {@code for 0s}, on the
   * endpoints {@code endpoint} (a glob), with {@code severity}; the answer must be 201.
   */
  public static void errorRateRule(TestHttp http, String id, String endpoint, String severity) {
    TestHttp.Reply r =
        http.put(
            "/api/v1/rules/" + id,
            "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.2, \"for\": \"0s\","
                + " \"severity\": \""
                + severity
                + "\", \"endpoint\": \""
                + endpoint
                + "\"}");
    if (r.status() != 201) {
      throw new AssertionError("rule " + id + " refused: " + r.status() + " " + r.body());
    }
  }

  /**
   * Waits until every node's rule cache (what its entities evaluate) holds the rules {@code ids}.
   */
  public static void awaitRules(List<Node> nodes, String... ids) {
    List<String> wanted = List.of(ids);
    for (Node n : nodes) {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .untilAsserted(
              () ->
                  assertTrue(
                      n.rules().current().rules().keySet().containsAll(wanted),
                      "the rules "
                          + wanted
                          + " reach "
                          + n.baseUrl()
                          + ": it has "
                          + n.rules().current().rules().keySet()));
    }
  }

  /**
   * NDJSON of {@code perSecond} requests a second on {@code path} over [fromSec, toSec) after T0, a
   * share {@code errorShare} of them answered 500 (see {@link TestRecords}).
   */
  public static byte[] traffic(
      String path, int fromSec, int toSec, int perSecond, double errorShare) {
    return TestRecords.ndjson(TestRecords.traffic(path, fromSec, toSec, perSecond, errorShare));
  }
}
