package io.autoglm.monitor.notifier.channel.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.notifier.channel.AlertmanagerPayload;
import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import io.autoglm.monitor.notifier.deliver.Deliveries;
import io.autoglm.monitor.notifier.deliver.Delivery;
import io.autoglm.monitor.notifier.deliver.Providers;
import io.autoglm.monitor.notifier.deliver.Sender;
import io.autoglm.monitor.notifier.net.GuardedHttp;
import io.autoglm.monitor.notifier.net.UrlGuard;
import io.autoglm.monitor.notifier.receiver.ReceiverCodec;
import io.autoglm.monitor.protocols.json.Json;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The generic HTTP SMS gateway ({@code provider: http}): the body its template makes, escaped as
 * the template says, and the exact request a local gateway gets for an alert.
 */
class HttpSmsTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final Map<String, String> VARIABLES =
      Map.of("rule", "chat-errors", "severity", "critical", "status", "FIRING");

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static String body(OutgoingRequest r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void aJsonTemplateGetsEscapedTextAndThePhonesAsAnArray() throws Exception {
    HttpSms sms =
        new HttpSms(
            URI.create("https://sms.example.com/send"),
            "POST",
            Map.of("Authorization", "Bearer t0ken"),
            "application/json",
            "{\"to\": {{phones_json_array}}, \"text\": \"{{text_json}}\", \"ref\": \"{{key}}\"}",
            false,
            "");
    OutgoingRequest r =
        sms.request(List.of("13800138000", "+8613900139000"), "say \"hi\"\nnow", "k-1", VARIABLES);
    assertEquals(
        "{\"to\": [\"13800138000\",\"+8613900139000\"], \"text\": \"say \\\"hi\\\"\\nnow\","
            + " \"ref\": \"k-1\"}",
        body(r));
    assertEquals("now", Json.mapper().readTree(r.body()).get("text").asText().split("\n")[1]);
    assertEquals("Bearer t0ken", r.headers().get("Authorization"));
    assertEquals("application/json", r.contentType());
  }

  @Test
  void aFormTemplateGetsEncodedValuesOnePhoneARequest() throws Exception {
    HttpSms vonage =
        new HttpSms(
            URI.create("https://rest.nexmo.com/sms/json"),
            "POST",
            Map.of(),
            "application/x-www-form-urlencoded",
            "api_key=k&api_secret=s&from=AutoGLM&to={{phone_url}}&text={{text_url}}",
            true,
            "\"status\":\"0\"");
    assertTrue(vonage.perPhone());
    OutgoingRequest r = vonage.request(List.of("+8613800138000"), "5xx & timeouts", "k", VARIABLES);
    assertEquals(
        "api_key=k&api_secret=s&from=AutoGLM&to=%2B8613800138000&text=5xx+%26+timeouts", body(r));
    assertTrue(vonage.judge(200, "{\"messages\":[{\"status\":\"0\"}]}").delivered());
    Answer refused = vonage.judge(200, "{\"messages\":[{\"status\":\"4\"}]}");
    assertFalse(refused.delivered(), "a 200 without the success marker");
    assertFalse(refused.retryable());
    assertTrue(vonage.judge(503, "").retryable());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new HttpSms(URI.create("https://x"), "DELETE", Map.of(), "text/plain", "", false, ""));
  }

  /** An alert to a receiver with {@code provider: http}, through the SSRF guard, to a gateway. */
  @Test
  void theGatewayGetsExactlyTheRequestTheConfigurationDescribes() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    gateway.createContext(
        "/send",
        ex -> {
          received.add(
              ex.getRequestMethod()
                  + " "
                  + ex.getRequestURI()
                  + " | "
                  + ex.getRequestHeaders().getFirst("Content-Type")
                  + " | "
                  + ex.getRequestHeaders().getFirst("X-Api-Key")
                  + " | "
                  + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] ok = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, ok.length);
          ex.getResponseBody().write(ok);
          ex.close();
        });
    gateway.start();
    try {
      String url = "http://127.0.0.1:" + gateway.getAddress().getPort() + "/send";
      Providers providers =
          Providers.fromConfig(
              ConfigFactory.parseString(
                      """
                      autoglm.notifier.sms.http {
                        url = "%s"
                        headers { X-Api-Key = "gw-key" }
                        body = "{\\"mobiles\\": \\"{{phones}}\\", \\"content\\": \\"{{text_json}}\\", \\"id\\": \\"{{key}}\\"}"
                        ok-body-contains = "\\"ok\\":true"
                      }
                      """
                          .formatted(url))
                  .withFallback(ConfigFactory.load())
                  .resolve());
      UrlGuard guard = new UrlGuard(List.of("127.0.0.1/32"));
      var receiver =
          ReceiverCodec.parse(
              Json.mapper()
                  .readTree(
                      "{\"name\": \"oncall\", \"alert_channels\": [{\"type\": \"sms\","
                          + " \"phones\": [\"13800138000\", \"13900139000\"], \"provider\":"
                          + " \"http\"}]}"),
              guard);
      Deliveries.Result result =
          Deliveries.of(TestAlerts.FIRING, receiver, providers, "http://monitor", Instant.EPOCH);
      assertEquals(List.of(), result.unsendable());
      assertEquals(1, result.deliveries().size(), "one request for both phones");
      Delivery d = result.deliveries().get(0);
      Sender sender =
          Sender.of(
              new GuardedHttp(KIT.system(), guard, Duration.ofSeconds(5)),
              Optional.empty(),
              Runnable::run);
      Answer answer = sender.attempt(d).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(answer.delivered(), String.valueOf(answer.error()));
      String key = AlertmanagerPayload.idempotencyKey(TestAlerts.FIRING);
      assertEquals(1, received.size());
      String got = received.get(0);
      assertTrue(
          got.startsWith(
              "POST /send | application/json | gw-key | {\"mobiles\": \"13800138000,13900139000\","
                  + " \"content\": \"[FIRING] "),
          got);
      assertTrue(got.endsWith("\", \"id\": \"" + key + "\"}"), got);
    } finally {
      gateway.stop(0);
    }
  }
}
