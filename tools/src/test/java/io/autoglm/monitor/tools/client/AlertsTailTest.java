package io.autoglm.monitor.tools.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code alerts tail} against a stand-in feed on a real socket (a minimal RFC 6455 server on the
 * JDK): the token at the handshake, the filters as query parameters, one line per alert, a new
 * connection when the node ends the feed, and no retry when the node refuses the token.
 */
class AlertsTailTest {
  private static final String ALERT =
      "{\"type\":\"alert\",\"alert\":{\"fingerprint\":\"ab%02d\",\"status\":\"firing\","
          + "\"rule\":\"chat-errors\",\"severity\":\"critical\",\"service\":\"edge\","
          + "\"endpoint\":\"/v1/chat/completions\",\"metric\":\"error_rate\",\"comparison\":\">\","
          + "\"threshold\":0.2,\"value\":0.3125,\"startsAt\":\"2026-01-01T00:00:23.981Z\","
          + "\"summary\":\"chat failing\"}}";

  /** Serves the feed: each connection gets a hello and one alert, then the feed ends (1001). */
  static final class Feed implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    final List<List<String>> handshakes = new CopyOnWriteArrayList<>();
    final String refusal; // a 401 body instead of the upgrade, or null

    Feed(String refusal) throws IOException {
      this.refusal = refusal;
      Thread t = new Thread(this::serve, "fake-feed");
      t.setDaemon(true);
      t.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
          List<String> request = new ArrayList<>();
          for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            request.add(line);
          }
          handshakes.add(request);
          OutputStream out = s.getOutputStream();
          if (refusal != null) {
            out.write(
                ("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: "
                        + refusal.length()
                        + "\r\nConnection: close\r\n\r\n"
                        + refusal)
                    .getBytes(UTF_8));
            out.flush();
            continue;
          }
          String key =
              request.stream()
                  .filter(h -> h.toLowerCase().startsWith("sec-websocket-key:"))
                  .map(h -> h.substring(h.indexOf(':') + 1).trim())
                  .findFirst()
                  .orElseThrow();
          String accept =
              Base64.getEncoder()
                  .encodeToString(
                      MessageDigest.getInstance("SHA-1")
                          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(UTF_8)));
          out.write(
              ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      + "Sec-WebSocket-Accept: "
                      + accept
                      + "\r\n\r\n")
                  .getBytes(UTF_8));
          text(out, "{\"type\":\"hello\"}");
          text(out, String.format(ALERT, handshakes.size()));
          out.write(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xe9}); // close 1001, going away
          out.flush();
          Thread.sleep(200); // let the client read it before the socket closes
        } catch (Exception e) {
          // the next connection, or the end of the test
        }
      }
    }

    private static void text(OutputStream out, String message) throws IOException {
      byte[] payload = message.getBytes(UTF_8);
      out.write(0x81);
      if (payload.length < 126) {
        out.write(payload.length);
      } else {
        out.write(126);
        out.write(payload.length >> 8);
        out.write(payload.length & 0xff);
      }
      out.write(payload);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  record Run(int status, String out, String err) {}

  static Run tail(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ConsoleStreams io =
        new ConsoleStreams(
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8),
            env);
    int status = CommandLines.execute(AlertsCommand.commandLine(io), io, args);
    return new Run(status, out.toString(UTF_8), err.toString(UTF_8));
  }

  @Test
  void printsALinePerAlertAndConnectsAgainWhenTheFeedEnds() throws Exception {
    try (Feed feed = new Feed(null)) {
      Run r =
          tail(
              Map.of("AUTOGLM_NODE", feed.url(), "AUTOGLM_TOKEN", "tok-viewer"),
              "tail",
              "--severity",
              "critical",
              "--endpoint",
              "edge/v1/chat/*",
              "--limit",
              "2");
      assertEquals(0, r.status(), r.err());
      assertEquals(
          "2026-01-01T00:00:23Z  FIRING    critical  chat-errors  edge/v1/chat/completions "
              + " error_rate 0.3125 > 0.2  fingerprint ab01  chat failing\n"
              + "2026-01-01T00:00:23Z  FIRING    critical  chat-errors  edge/v1/chat/completions "
              + " error_rate 0.3125 > 0.2  fingerprint ab02  chat failing\n",
          r.out());
      assertEquals(2, feed.handshakes.size(), "a second connection after the feed ended");
      for (List<String> h : feed.handshakes) {
        assertEquals(
            "GET /api/v1/alerts/feed?severity=critical&endpoint=edge%2Fv1%2Fchat%2F* HTTP/1.1",
            h.get(0));
        assertTrue(h.contains("Authorization: Bearer tok-viewer"), h.toString());
      }
      assertTrue(r.err().startsWith("following " + feed.url() + "/api/v1/alerts/feed?"), r.err());
      assertTrue(r.err().contains("the node ended the feed (closed 1001"), r.err());
      assertTrue(r.err().contains("connected again"), r.err());
    }
  }

  @Test
  void aRefusedTokenEndsTheTailWithoutRetrying() throws Exception {
    try (Feed feed = new Feed("{\"error\": \"unknown or revoked token\"}")) {
      Run r = tail(Map.of(), "tail", "--node", feed.url(), "--token", "tok-revoked", "--json");
      assertEquals(1, r.status(), r.err());
      assertEquals("error: node answered 401: unknown or revoked token\n", r.err());
      assertEquals("", r.out());
      assertEquals(1, feed.handshakes.size());
    }
  }
}
