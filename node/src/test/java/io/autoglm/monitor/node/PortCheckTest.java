package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A taken port fails the start before Cassandra is touched, naming the key to change. */
class PortCheckTest {

  private static Config config(int httpPort, int clusterPort) {
    return ConfigFactory.parseMap(
            Map.of(
                "autoglm.http.port", httpPort,
                "pekko.remote.artery.canonical.port", clusterPort,
                // nothing listens here: reaching Cassandra would fail differently, and slowly
                "autoglm.cassandra.contact-points", java.util.List.of("127.0.0.1:1")))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  @Test
  void aTakenHttpPortNamesAutoglmHttpPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> Node.start(config(taken.getLocalPort(), 0)));
      assertTrue(e.getMessage().contains("port " + taken.getLocalPort()), e.getMessage());
      assertTrue(e.getMessage().contains("autoglm.http.port"), e.getMessage());
      assertTrue(e.getMessage().contains("AUTOGLM_HTTP_PORT"), e.getMessage());
    }
  }

  @Test
  void aTakenClusterPortNamesTheArteryPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> Node.start(config(0, taken.getLocalPort())));
      assertTrue(e.getMessage().contains("pekko.remote.artery.canonical.port"), e.getMessage());
      assertTrue(e.getMessage().contains("the cluster transport"), e.getMessage());
    }
  }
}
