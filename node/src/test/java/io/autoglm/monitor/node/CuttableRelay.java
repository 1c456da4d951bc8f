package io.autoglm.monitor.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback to a node's port whose network can be cut and restored: what a browser
 * sees when its Wi-Fi drops or a load balancer in front of the node restarts. While cut, the relay
 * closes every connection it carries and every new one at once.
 */
final class CuttableRelay implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  CuttableRelay(int targetPort) throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    this.target = new InetSocketAddress(loopback, targetPort);
    this.server = new ServerSocket(0, 50, loopback);
    Thread accept = new Thread(this::accept, "relay-accept-" + server.getLocalPort());
    accept.setDaemon(true);
    accept.start();
  }

  /** The base URL of the node through this relay. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Closes every connection; new ones are closed as they come until {@link #restore()}. */
  void cut() {
    cut = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  void restore() {
    cut = false;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        if (cut) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket();
        open.add(upstream);
        try {
          upstream.connect(target, 5_000);
        } catch (IOException e) {
          closeQuietly(upstream);
          closeQuietly(client);
          continue;
        }
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        // the server socket closed
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  private void closeQuietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    cut();
  }
}
