package io.autoglm.monitor.node.api;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's static files, as {@link ApiRoutes} serves them ahead of the API's checks, over a
 * real socket: the page at {@code /}, its files under {@code /ui/} with their types and cache
 * headers, 304 for an unchanged file, and 404 for anything that tries to leave {@code console/}
 * ({@code ..}, encoded or not, encoded slashes, folders, other file types), sent as raw request
 * lines so that no client tidies the path first.
 */
class ConsoleRoutesTest {
  private static ActorSystem<Void> system;
  private static ServerBinding binding;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "autoglm",
            ConfigFactory.parseMap(
                    Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0))
                .withFallback(ConfigFactory.load()));
    binding =
        Http.get(system)
            .newServerAt("127.0.0.1", 0)
            .bind(
                new ApiRoutes(
                        system,
                        new OriginGuard(List.of()),
                        AccessControl.unchecked(),
                        new AllDirectives() {}.reject())
                    .route())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static int port() {
    return binding.localAddress().getPort();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status line and body of a request line sent as it is. */
  private static String raw(String target) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  @Test
  void thePageAndItsFilesHaveTheirTypesAndCacheHeaders() throws Exception {
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=UTF-8", page.headers().firstValue("Content-Type").orElse(""));
    assertTrue(page.body().contains("<script type=\"module\" src=\"/ui/js/main.js\">"));
    assertEquals("no-cache", page.headers().firstValue("Cache-Control").orElse(""));
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertTrue(
        page.headers()
            .firstValue("Content-Security-Policy")
            .orElse("")
            .contains("default-src 'self'"));

    for (String[] c :
        new String[][] {
          {"/ui/index.html", "text/html; charset=UTF-8", "no-cache"},
          {"/ui/js/main.js", "text/javascript; charset=UTF-8", "no-cache"},
          {"/ui/app.css", "text/css; charset=UTF-8", "no-cache"},
          {"/ui/favicon.svg", "image/svg+xml", "no-cache"},
          {
            "/ui/vendor/uplot/uPlot.iife.min.js",
            "text/javascript; charset=UTF-8",
            "public, max-age=86400"
          },
          {"/ui/vendor/uplot/LICENSE", "text/plain; charset=UTF-8", "public, max-age=86400"},
        }) {
      HttpResponse<String> r = get(c[0]);
      assertEquals(200, r.statusCode(), c[0]);
      assertEquals(c[1], r.headers().firstValue("Content-Type").orElse(""), c[0]);
      assertEquals(c[2], r.headers().firstValue("Cache-Control").orElse(""), c[0]);
      assertFalse(r.body().isEmpty(), c[0]);
    }
    assertTrue(get("/ui/vendor/uplot/LICENSE").body().contains("MIT"));
  }

  @Test
  void anUnchangedFileIsA304ByItsEtag() throws Exception {
    HttpResponse<String> first = get("/ui/js/api.js");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = get("/ui/js/api.js", "If-None-Match", etag);
    assertEquals(304, again.statusCode());
    assertEquals("", again.body());
    assertEquals(200, get("/ui/js/api.js", "If-None-Match", "\"other\"").statusCode());
  }

  @Test
  void nothingOutsideTheConsoleFolderIsServed() throws Exception {
    for (String target :
        List.of(
            "/ui/../../etc/passwd",
            "/ui/../../../../../../etc/passwd",
            "/ui/..%2F..%2F..%2Fetc%2Fpasswd",
            "/ui/%2e%2e/%2e%2e/etc/passwd",
            "/ui/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
            "/ui/js/..%2f..%2fapplication.conf",
            "/ui/../application.conf",
            "/ui/%2e%2e/application.conf",
            "/ui/..%5capplication.conf",
            "/ui/%252e%252e/application.conf",
            "/ui/.%2e/logback.xml",
            "/ui//etc/passwd",
            "/ui/js",
            "/ui/js/",
            "/ui/",
            "/ui/vendor/uplot/VERSION",
            "/ui/io/autoglm/monitor/node/Main.class",
            "/ui/../io/autoglm/monitor/node/Main.class",
            "/ui/nope.js",
            "/index.html")) {
      String answer = raw(target);
      assertTrue(answer.startsWith("HTTP/1.1 404 "), target + ": " + answer);
      assertFalse(answer.contains("root:"), target);
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      assertTrue(body.startsWith("{\"error\":"), target + ": " + body);
    }
  }
}
