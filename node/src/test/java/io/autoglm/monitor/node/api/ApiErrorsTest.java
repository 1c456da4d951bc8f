package io.autoglm.monitor.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How {@link ApiRoutes} answers a route that fails, over a real socket: an entity that did not
 * answer in time (its node just died, its shard is moving) is a 503 the client may retry, anything
 * else a 500; both with a JSON body.
 */
class ApiErrorsTest {
  private static ActorSystem<Void> system;
  private static ServerBinding binding;

  /** Routes that fail as the API's asks can. */
  private static final class Failing extends AllDirectives {
    Route route() {
      return concat(
          // two routes of the table (ApiAccess), failing
          path(
              PathMatchers.segment("api").slash("v1").slash("cluster"),
              () ->
                  onSuccess(
                      CompletableFuture.<String>failedFuture(
                          new TimeoutException(
                              "Ask timed out on [EntityRef(EndpointStats, svc/x)] after [10000"
                                  + " ms]")),
                      s -> complete(s))),
          path(
              PathMatchers.segment("api").slash("v1").slash("ips"),
              () ->
                  onSuccess(
                      CompletableFuture.<String>failedFuture(new IllegalStateException("boom")),
                      s -> complete(s))));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "api-errors");
    Route route =
        new ApiRoutes(
                system,
                new OriginGuard(List.of()),
                AccessControl.unchecked(),
                new Failing().route())
            .route();
    binding =
        Http.get(system)
            .newServerAt("127.0.0.1", 0)
            .bind(route)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAskThatTimedOutIsA503TheClientMayRetry() throws Exception {
    HttpResponse<String> r = get("/api/v1/cluster");
    assertEquals(503, r.statusCode(), r.body());
    JsonNode body = Json.mapper().readTree(r.body());
    assertTrue(
        body.get("error").asText().startsWith("the cluster did not answer in time; try again"),
        r.body());
    assertTrue(body.get("error").asText().contains("EndpointStats"), r.body());
  }

  @Test
  void anythingElseIsA500WithAJsonBody() throws Exception {
    HttpResponse<String> r = get("/api/v1/ips");
    assertEquals(500, r.statusCode(), r.body());
    assertTrue(Json.mapper().readTree(r.body()).get("error").asText().contains("boom"), r.body());
  }
}
