package io.autoglm.monitor.notifier.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard on real connections: a local receiver (allowed by the allow-list, as a test's must be)
 * that answers, redirects to refused places, and a name that resolves to a refused address.
 */
class GuardedHttpTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static HttpServer server;
  private static String base;
  private static final List<String> BODIES = new CopyOnWriteArrayList<>();

  /**
   * Names a test resolves: "evil.example" points at a loopback address outside the allow-list, as a
   * hostile DNS answer would.
   */
  private static final UrlGuard.Lookup TABLE =
      name -> {
        if (name.equals("evil.example")) {
          return new InetAddress[] {InetAddress.getByName("127.0.0.2")};
        }
        if (name.equals("127.0.0.1")) {
          return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        }
        throw new UnknownHostException(name);
      };

  @BeforeAll
  static void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        ex -> {
          BODIES.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] ok = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, ok.length);
          ex.getResponseBody().write(ok);
          ex.close();
        });
    server.createContext(
        "/to-metadata",
        ex -> {
          ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    server.createContext(
        "/to-loopback",
        ex -> {
          ex.getResponseHeaders()
              .add("Location", "http://127.0.0.2:" + server.getAddress().getPort() + "/hook");
          ex.sendResponseHeaders(307, -1);
          ex.close();
        });
    server.createContext(
        "/to-hook",
        ex -> {
          ex.getResponseHeaders().add("Location", "/hook");
          ex.sendResponseHeaders(308, -1);
          ex.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    KIT.shutdownTestKit();
  }

  private static GuardedHttp http() {
    return new GuardedHttp(
        KIT.system(), new UrlGuard(List.of("127.0.0.1/32"), TABLE), Duration.ofSeconds(5));
  }

  private static OutgoingRequest post(String url, String body) {
    return new OutgoingRequest(
        "POST",
        URI.create(url),
        "application/json",
        Map.of("X-Test", "1"),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static Throwable refusal(String url) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> http().send(post(url, "{}")).toCompletableFuture().get(10, TimeUnit.SECONDS));
    Throwable cause = e.getCause();
    while (cause.getCause() != null && !(cause instanceof UrlGuard.RefusedUrlException)) {
      cause = cause.getCause();
    }
    return cause;
  }

  @Test
  void anAllowedReceiverGetsTheRequestAndAFollowedRedirectKeepsMethodAndBody() throws Exception {
    BODIES.clear();
    GuardedHttp.Reply r =
        http()
            .send(post(base + "/hook", "{\"a\":1}"))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertEquals(200, r.status());
    assertEquals("{\"ok\":true}", r.body());
    GuardedHttp.Reply again =
        http()
            .send(post(base + "/to-hook", "{\"b\":2}"))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertEquals(200, again.status());
    assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), BODIES, "a 308 is followed with its body");
  }

  @Test
  void redirectsToRefusedPlacesAreNotFollowed() {
    BODIES.clear();
    Throwable metadata = refusal(base + "/to-metadata");
    assertInstanceOf(UrlGuard.RefusedUrlException.class, metadata);
    assertTrue(
        metadata.getMessage().startsWith("redirect to http://169.254.169.254/latest/meta-data/:"),
        metadata.getMessage());
    Throwable loopback = refusal(base + "/to-loopback");
    assertTrue(
        loopback.getMessage().contains("127.0.0.2 is a loopback address"), loopback.getMessage());
    assertEquals(List.of(), BODIES, "nothing reached the loopback receiver through a redirect");
  }

  @Test
  void aNameThatResolvesToARefusedAddressIsRefusedAtConnect() {
    BODIES.clear();
    Throwable e = refusal("http://evil.example:" + server.getAddress().getPort() + "/hook");
    assertInstanceOf(UrlGuard.RefusedUrlException.class, e);
    assertTrue(
        e.getMessage().contains("host 'evil.example' is refused: 127.0.0.2 is a loopback address"),
        e.getMessage());
    assertEquals(List.of(), BODIES);
  }
}
