package io.autoglm.monitor.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.management.scaladsl.PekkoManagement$;
import org.junit.jupiter.api.Test;

/**
 * The management endpoint of a real node: {@code /alive} and {@code /ready} (the cluster member Up,
 * the HTTP API bound) when it is enabled, nothing listening when it is not (the default).
 */
class ManagementIT {

  @Test
  void aliveAndReadyOnceTheNodeIsUp() throws Exception {
    try (Node node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "autoglm.cluster.management.enabled",
                    true,
                    "pekko.management.http.port",
                    0)))) {
      // start() again with the same settings answers the running endpoint's address
      String base =
          PekkoManagement.get(node.system())
              .start()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS)
              .toString();
      assertTrue(base.startsWith("http://127.0.0.1:"), base);
      TestHttp management = new TestHttp(base);
      assertEquals(200, management.get("/alive").status());
      // Node.start returns once the HTTP API is bound; the member may still be Joining
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                TestHttp.Reply ready = management.get("/ready");
                assertEquals(200, ready.status(), ready.body());
              });
      assertEquals(MemberStatus.up(), Cluster.get(node.system()).selfMember().status());
    }
  }

  @Test
  void kubernetesBootstrapOutsideAPodFailsTheStartAtOnce() {
    long startedAt = System.nanoTime();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Node.start(
                    NodeFixture.freshConfig(
                        Map.of(
                            "autoglm.cluster.bootstrap",
                            "kubernetes",
                            "pekko.management.http.port",
                            0,
                            // no service account here, whatever machine the test runs on
                            "pekko.discovery.kubernetes-api.api-ca-path",
                            "target/no-service-account/ca.crt"))));
    assertTrue(e.getMessage().contains("autoglm.cluster.bootstrap = kubernetes"), e.getMessage());
    assertTrue(e.getMessage().contains("no-service-account/ca.crt"), e.getMessage());
    // not the start timeout (3 min): the failure is known as the actor system starts
    assertTrue(
        Duration.ofNanos(System.nanoTime() - startedAt).compareTo(Duration.ofSeconds(60)) < 0);
  }

  @Test
  void aTakenManagementPortFailsTheStartNamingTheKey() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  Node.start(
                      NodeFixture.freshConfig(
                          Map.of(
                              "autoglm.cluster.management.enabled",
                              true,
                              "pekko.management.http.port",
                              taken.getLocalPort()))));
      assertTrue(e.getMessage().contains("pekko.management.http.port"), e.getMessage());
      assertTrue(e.getMessage().contains(":" + taken.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void notListeningWhenDisabled() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort(); // free now; the node is told to use it if management were on
    }
    try (Node node =
        Node.start(NodeFixture.freshConfig(Map.of("pekko.management.http.port", port)))) {
      assertFalse(
          node.system().classicSystem().hasExtension(PekkoManagement$.MODULE$),
          "the management extension was started");
      assertEquals(200, new TestHttp(node.baseUrl()).get("/health").status());
      assertThrows(
          ConnectException.class,
          () -> {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
          });
    }
  }
}
