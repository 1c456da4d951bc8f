package io.autoglm.monitor.node;

import static io.autoglm.monitor.node.NodeFixture.traffic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The article's channel list and severity routing on a real node (real Cassandra, real sockets): a
 * critical alert goes to P1's SMS gateway (an Aliyun-speaking local server) and webhook, a warning
 * to P2's webhook only, each once.
 */
class ArticleRoutingIT {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static WebhookReceiver p1Hook;
  private static WebhookReceiver p2Hook;
  private static HttpServer smsGateway;
  private static final BlockingQueue<String> smsForms = new LinkedBlockingQueue<>();
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() throws Exception {
    p1Hook = new WebhookReceiver();
    p2Hook = new WebhookReceiver();
    smsGateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    smsGateway.createContext(
        "/",
        ex -> {
          smsForms.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] ok = "{\"Code\":\"OK\",\"Message\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, ok.length);
          ex.getResponseBody().write(ok);
          ex.close();
        });
    smsGateway.start();
    String routing =
        """
        autoglm.notifier {
          sms.aliyun {
            endpoint = "http://127.0.0.1:%d/"
            access-key-id = "LTAI-test"
            access-key-secret = "secret"
            sign-name = "AutoGLM"
            template-code = "SMS_1"
          }
          receivers = [
            {name = feed, alert_channels = []}
            {name = p1, alert_channels = [
              {type = sms, phones = ["13800138000"], provider = aliyun_sms}
              {type = webhook, url = "%s", method = POST}]}
            {name = p2, alert_channels = [{type = webhook, url = "%s", method = POST}]}
          ]
          route {
            receiver = feed
            group_by = [alertname, service]
            group_wait = 1s
            routes = [
              {matchers = ["severity=critical"], receiver = p1}
              {matchers = ["severity=warning"], receiver = p2}
            ]
          }
        }
        """
            .formatted(smsGateway.getAddress().getPort(), p1Hook.url(), p2Hook.url());
    node = NodeFixture.startWith(routing);
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    p1Hook.close();
    p2Hook.close();
    smsGateway.stop(0);
  }

  @Test
  void criticalGoesToSmsAndWebhookAndWarningToTheOtherWebhook() throws Exception {
    NodeFixture.errorRateRule(http, "chat-critical", "/v1/chat/*", "critical");
    NodeFixture.errorRateRule(http, "embeddings-warning", "/v1/embeddings", "warning");
    NodeFixture.awaitRules(List.of(node), "chat-critical", "embeddings-warning");
    for (String path : new String[] {"/v1/chat/completions", "/v1/embeddings"}) {
      TestHttp.Reply r = http.post("/api/v1/ingest", traffic(path, 0, 20, 50, 0.5));
      assertEquals(200, r.status(), r.body());
    }
    WebhookReceiver.Received p1 = p1Hook.next(WITHIN);
    assertNotNull(p1, "P1's webhook got the critical alert");
    assertEquals(
        "chat-critical", p1.body().get("alerts").get(0).get("labels").get("alertname").asText());
    assertEquals("p1", p1.body().get("receiver").asText());
    String sms = smsForms.poll(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(sms, "P1's SMS gateway got the critical alert");
    String form = URLDecoder.decode(sms, StandardCharsets.UTF_8);
    assertTrue(form.contains("PhoneNumbers=13800138000"), form);
    assertTrue(form.contains("\"rule\":\"chat-critical\""), form);
    assertTrue(form.contains("OutId=" + p1.deliveryId()), "one key on every channel: " + form);

    WebhookReceiver.Received p2 = p2Hook.next(WITHIN);
    assertNotNull(p2, "P2's webhook got the warning");
    assertEquals(
        "embeddings-warning",
        p2.body().get("alerts").get(0).get("labels").get("alertname").asText());
    Thread.sleep(1_000);
    assertNull(p1Hook.poll(), "the warning did not go to P1");
    assertNull(smsForms.poll(), "nor to its SMS");
    assertNull(p2Hook.poll(), "each alert once");
  }
}
