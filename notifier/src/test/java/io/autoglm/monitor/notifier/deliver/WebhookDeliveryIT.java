package io.autoglm.monitor.notifier.deliver;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.notifier.channel.AlertmanagerPayload;
import io.autoglm.monitor.notifier.channel.WebhookSettings;
import io.autoglm.monitor.notifier.net.GuardedHttp;
import io.autoglm.monitor.notifier.route.Routing;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node's webhook ({@code autoglm.notifier.webhook.*}, as {@link Routing#of} makes it a receiver)
 * through the dispatcher, its worker and the guarded HTTP client, against a real HTTP server on
 * loopback that answers as scripted.
 */
class WebhookDeliveryIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ObjectMapper MAPPER = Json.mapper();
  private static final ThresholdRule RULE =
      new ThresholdRule(
          "chat-errors",
          Metric.ERROR_RATE,
          Comparison.GT,
          0.2,
          0,
          0,
          Severity.CRITICAL,
          Glob.of("*"),
          Glob.of("/v1/chat/*"),
          "chat failing");
  private static final Alert FIRING =
      Alert.firing(
          RULE, "default", "/v1/chat/completions", 0.5, 1_767_225_620_000L, 1_767_225_630_000L);

  private record Hit(
      String deliveryId, String timestamp, String signature, byte[] raw, JsonNode body) {}

  private HttpServer server;
  private final BlockingQueue<Hit> hits = new LinkedBlockingQueue<>();
  private final Queue<Integer> answers = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          byte[] raw = exchange.getRequestBody().readAllBytes();
          hits.add(
              new Hit(
                  exchange.getRequestHeaders().getFirst("X-AutoGLM-Delivery-Id"),
                  exchange.getRequestHeaders().getFirst("X-AutoGLM-Timestamp"),
                  exchange.getRequestHeaders().getFirst("X-AutoGLM-Signature"),
                  raw,
                  MAPPER.readTree(raw)));
          Integer status = answers.poll();
          exchange.sendResponseHeaders(status == null ? 200 : status, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** The node's webhook receiver, as the notifier sends to it. */
  private record Hook(ActorRef<Dispatcher.Command> dispatcher, Routing routing) {
    void deliver(Alert alert) {
      dispatcher.tell(
          new Dispatcher.Dispatch(
              alert,
              routing.route().match(Routing.labelsOf(alert)).get(0),
              testKit.<Dispatcher.Dispatched>createTestProbe().ref()));
    }
  }

  private Hook channel(int maxAttempts) {
    return channel("http://127.0.0.1:" + server.getAddress().getPort() + "/hook", "", maxAttempts);
  }

  private Hook channel(String url, String secret, int maxAttempts) {
    WebhookSettings settings =
        new WebhookSettings(
            url,
            secret,
            Duration.ofSeconds(2),
            maxAttempts,
            Duration.ofMillis(50),
            Duration.ofMillis(200),
            "http://monitor:8080",
            List.of("127.0.0.1/32"));
    Routing routing = Routing.of(settings);
    Sender sender =
        Sender.of(
            new GuardedHttp(testKit.system(), settings.guard(), settings.requestTimeout()),
            Optional.empty(),
            Runnable::run);
    return new Hook(
        testKit.spawn(
            Dispatcher.create(
                routing.receivers()::get,
                Providers.NONE,
                settings.externalUrl(),
                DeliveryWorker.Settings.of(settings),
                sender,
                (about, attempt) -> {},
                line -> {})),
        routing);
  }

  /** hex(HmacSHA256(secret, timestamp + "." + body)), worked out here with the JDK alone. */
  private static String expectedSignature(String secret, String timestamp, byte[] body)
      throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
    byte[] signed = new byte[timestamp.length() + 1 + body.length];
    System.arraycopy((timestamp + ".").getBytes(UTF_8), 0, signed, 0, timestamp.length() + 1);
    System.arraycopy(body, 0, signed, timestamp.length() + 1, body.length);
    return "v1=" + java.util.HexFormat.of().formatHex(mac.doFinal(signed));
  }

  private Hit nextHit() throws InterruptedException {
    Hit hit = hits.poll(5, TimeUnit.SECONDS);
    assertNotNull(hit, "expected a webhook request");
    return hit;
  }

  @Test
  void postsAnAlertmanagerPayload() throws Exception {
    channel(3).deliver(FIRING);
    JsonNode body = nextHit().body();
    assertEquals("4", body.get("version").asText());
    assertEquals("firing", body.get("status").asText());
    assertEquals("http://monitor:8080", body.get("externalURL").asText());
    JsonNode alert = body.get("alerts").get(0);
    assertEquals("chat-errors", alert.get("labels").get("alertname").asText());
    assertEquals("/v1/chat/completions", alert.get("labels").get("endpoint").asText());
    assertEquals("chat failing", alert.get("annotations").get("description").asText());
    assertEquals("2026-01-01T00:00:20Z", alert.get("startsAt").asText());
    assertEquals("0001-01-01T00:00:00Z", alert.get("endsAt").asText());
    assertEquals(FIRING.fingerprint(), alert.get("fingerprint").asText());
  }

  @Test
  void aSecretSignsTimestampAndBody() throws Exception {
    long before = System.currentTimeMillis() / 1000;
    channel("http://127.0.0.1:" + server.getAddress().getPort() + "/hook", "s3cr3t", 3)
        .deliver(FIRING);
    Hit hit = nextHit();
    long ts = Long.parseLong(hit.timestamp());
    assertTrue(ts >= before && ts <= System.currentTimeMillis() / 1000 + 1, hit.timestamp());
    assertEquals(expectedSignature("s3cr3t", hit.timestamp(), hit.raw()), hit.signature());
    assertNotEquals(
        expectedSignature("other", hit.timestamp(), hit.raw()), hit.signature(), "keyed");
    assertEquals(AlertmanagerPayload.idempotencyKey(FIRING), hit.deliveryId());
    // without a secret: no signature header
    channel(3).deliver(FIRING);
    assertNull(nextHit().signature());
  }

  @Test
  void aUrlTheGuardRefusesIsNeverCalled() throws Exception {
    // 127.0.0.2 is loopback, outside the allow-list: refused, and not retried
    channel("http://127.0.0.2:" + server.getAddress().getPort() + "/hook", "", 5).deliver(FIRING);
    assertNull(hits.poll(700, TimeUnit.MILLISECONDS));
    IllegalArgumentException saved =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                WebhookSettings.fromConfig(
                    com.typesafe.config.ConfigFactory.parseMap(
                            java.util.Map.of(
                                "autoglm.notifier.webhook.url",
                                "http://169.254.169.254/latest/meta-data"))
                        .withFallback(com.typesafe.config.ConfigFactory.load())));
    assertTrue(
        saved
            .getMessage()
            .startsWith("autoglm.notifier.webhook.url: host '169.254.169.254' is refused"),
        saved.getMessage());
  }

  @Test
  void retriesServerErrorsWithTheSameDeliveryIdAndKeepsOrder() throws Exception {
    answers.add(503);
    answers.add(500);
    Hook channel = channel(5);
    channel.deliver(FIRING);
    Alert resolved = FIRING.resolved(0.01, 1_767_225_640_000L, 1_767_225_640_000L);
    channel.deliver(resolved);
    Hit first = nextHit();
    assertEquals(first.deliveryId(), nextHit().deliveryId());
    assertEquals(first.deliveryId(), nextHit().deliveryId());
    assertEquals("firing", first.body().get("status").asText());
    Hit after = nextHit();
    assertEquals(
        "resolved",
        after.body().get("status").asText(),
        "the resolve waits until the firing is delivered");
    assertEquals("2026-01-01T00:00:40Z", after.body().get("alerts").get(0).get("endsAt").asText());
    assertNull(hits.poll(300, TimeUnit.MILLISECONDS));
  }

  @Test
  void doesNotRetryARejectedPayloadOrBeyondMaxAttempts() throws Exception {
    answers.add(400);
    Hook channel = channel(2);
    channel.deliver(FIRING);
    nextHit();
    assertNull(hits.poll(500, TimeUnit.MILLISECONDS), "a 400 is not retried");

    answers.add(502);
    answers.add(502);
    answers.add(502);
    channel.deliver(FIRING);
    nextHit();
    nextHit();
    assertNull(hits.poll(700, TimeUnit.MILLISECONDS), "two attempts at most");
  }
}
