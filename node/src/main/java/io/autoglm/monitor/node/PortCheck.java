package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Fails a start at once, before Cassandra is started, when a port the node must listen on is taken;
 * the message names the config key to change. The ports are bound for real later; this only saves
 * the wait when they are already in use.
 */
final class PortCheck {

  private PortCheck() {}

  /**
   * @throws IllegalStateException naming the key and environment variable of the taken port
   */
  static void requireFree(Config config) {
    requireFree(
        config.getString("autoglm.http.interface"),
        config.getInt("autoglm.http.port"),
        "autoglm.http.port (environment AUTOGLM_HTTP_PORT)",
        "the HTTP API");
    String artery = "pekko.remote.artery.";
    String host =
        config.getString(artery + "bind.hostname").isEmpty()
            ? config.getString(artery + "canonical.hostname")
            : config.getString(artery + "bind.hostname");
    int port =
        config.getString(artery + "bind.port").isEmpty()
            ? config.getInt(artery + "canonical.port")
            : config.getInt(artery + "bind.port");
    requireFree(
        host,
        port,
        "pekko.remote.artery.canonical.port (environment AUTOGLM_CLUSTER_PORT)",
        "the cluster transport");
  }

  private static void requireFree(String host, int port, String key, String what) {
    if (port == 0) {
      return; // the OS picks a free one
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new IllegalStateException(
          "port "
              + port
              + " on "
              + host
              + " for "
              + what
              + " is taken ("
              + e.getMessage()
              + "); stop what listens there or set "
              + key
              + " to a free port",
          e);
    }
  }
}
