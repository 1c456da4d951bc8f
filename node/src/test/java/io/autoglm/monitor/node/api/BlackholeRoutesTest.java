package io.autoglm.monitor.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.protocols.json.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a client gets from the drills' blackhole routes when it should not use them or sends a bad
 * address: a JSON 404 on a node without Artery's test mode, a JSON 400 naming the field otherwise.
 */
class BlackholeRoutesTest {
  private ActorSystem<Void> system;
  private ServerBinding binding;

  private void start(boolean testMode) throws Exception {
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "autoglm",
            ConfigFactory.parseMap(
                    Map.of(
                        "pekko.actor.provider",
                        "cluster",
                        "pekko.remote.artery.canonical.hostname",
                        "127.0.0.1",
                        "pekko.remote.artery.canonical.port",
                        0,
                        "pekko.remote.artery.advanced.test-mode",
                        testMode))
                .withFallback(ConfigFactory.load()));
    binding =
        Http.get(system)
            .newServerAt("127.0.0.1", 0)
            .bind(
                new ApiRoutes(
                        system,
                        new OriginGuard(List.of()),
                        AccessControl.unchecked(),
                        new BlackholeRoutes(system).route())
                    .route())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    if (system != null) {
      system.terminate();
    }
  }

  private HttpResponse<String> put(String address) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + binding.localAddress().getPort()
                            + "/api/v1/cluster/blackholes/"
                            + URLEncoder.encode(address, StandardCharsets.UTF_8)))
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> r) throws Exception {
    return Json.mapper().readTree(r.body()).get("error").asText();
  }

  @Test
  void withoutTestModeTheRoutesAreOffAndSaySo() throws Exception {
    start(false);
    HttpResponse<String> r = put("pekko://autoglm@127.0.0.1:25599");
    assertEquals(404, r.statusCode(), r.body());
    assertTrue(error(r).startsWith("fault injection is off"), r.body());
  }

  @Test
  void aBadOrOwnAddressIsA400NamingTheField() throws Exception {
    start(true);
    for (String bad : List.of("not an address", "x".repeat(1500), "pekko://autoglm")) {
      HttpResponse<String> r = put(bad);
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(error(r).startsWith("address: "), r.body());
      assertTrue(error(r).length() < 200, "the answer echoes at most 100 characters of it");
    }
    // longer than the server takes in a URI at all
    assertEquals(414, put("x".repeat(5000)).statusCode());
    HttpResponse<String> self = put(system.address().toString());
    assertEquals(400, self.statusCode(), self.body());
    assertTrue(error(self).startsWith("address: must be another node's"), self.body());

    HttpResponse<String> ok = put("pekko://autoglm@127.0.0.1:25599");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(true, Json.mapper().readTree(ok.body()).get("blackholed").asBoolean());
  }
}
