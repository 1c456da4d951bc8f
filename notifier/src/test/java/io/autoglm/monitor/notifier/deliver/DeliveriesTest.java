package io.autoglm.monitor.notifier.deliver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.notifier.channel.AlertmanagerPayload;
import io.autoglm.monitor.notifier.net.UrlGuard;
import io.autoglm.monitor.notifier.receiver.Receiver;
import io.autoglm.monitor.notifier.receiver.ReceiverCodec;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveriesTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:30Z");

  private static final Alert ALERT = TestAlerts.FIRING;

  private static final String ARTICLE_RECEIVER =
      """
      {"name": "ops-p1", "language": "zh", "timezone": "Asia/Shanghai",
       "alert_channels": [
         {"type": "email", "recipients": ["ops@example.com"]},
         {"type": "webhook", "url": "https://hooks.example.com/alert", "method": "POST",
          "headers": {"Authorization": "Bearer abc"}},
         {"type": "sms", "phones": ["13800138000", "13900139000"], "provider": "aliyun_sms"},
         {"type": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
          "secret": "SEC1a2b3c"}]}
      """;

  private static Receiver receiver() throws Exception {
    return ReceiverCodec.parse(Json.mapper().readTree(ARTICLE_RECEIVER), UrlGuard.strict());
  }

  private static Providers providers() {
    return Providers.fromConfig(
        ConfigFactory.parseMap(
                Map.of(
                    "autoglm.notifier.smtp.host", "smtp.example.com",
                    "autoglm.notifier.sms.aliyun.access-key-id", "LTAI-test",
                    "autoglm.notifier.sms.aliyun.access-key-secret", "secret-xyz",
                    "autoglm.notifier.sms.aliyun.sign-name", "AutoGLM",
                    "autoglm.notifier.sms.aliyun.template-code", "SMS_123456"))
            .withFallback(ConfigFactory.load())
            .resolve());
  }

  @Test
  void theArticlesReceiverBecomesOneDeliveryPerChannelWithOneKey() throws Exception {
    Deliveries.Result r =
        Deliveries.of(ALERT, receiver(), providers(), "http://monitor.example.com", NOW);
    assertEquals(List.of(), r.unsendable());
    assertEquals(
        List.of("email", "webhook", "sms", "dingtalk"),
        r.deliveries().stream().map(Delivery::channel).toList());
    String key = AlertmanagerPayload.idempotencyKey(ALERT);
    r.deliveries().forEach(d -> assertEquals(key, d.idempotencyKey(), d.channel()));

    Delivery.Mail mail = assertInstanceOf(Delivery.Mail.class, r.deliveries().get(0));
    assertEquals(List.of("ops@example.com"), mail.to());
    assertEquals("【告警】P1 严重 chat-errors /v1/chat/completions（default）", mail.subject());

    Delivery.Http hook = assertInstanceOf(Delivery.Http.class, r.deliveries().get(1));
    assertEquals("https://hooks.example.com/alert", hook.request().url().toString());
    assertEquals("Bearer abc", hook.request().headers().get("Authorization"));
    assertEquals(key, hook.request().headers().get("X-AutoGLM-Delivery-Id"));
    assertEquals(
        "ops-p1",
        Json.mapper().readTree(hook.request().body()).get("receiver").asText(),
        "the payload names the receiver");

    Delivery.Http sms = assertInstanceOf(Delivery.Http.class, r.deliveries().get(2));
    String form = sms.request().bodyText();
    assertTrue(form.contains("&OutId=" + key + "&"), form);
    assertTrue(form.contains("PhoneNumbers=13800138000%2C13900139000"), form);
    // the template's variables, as JSON with sorted names
    assertTrue(
        form.contains(
            "TemplateParam=%7B%22metric%22%3A%22error_rate%22%2C%22rule%22%3A%22chat-errors%22"
                + "%2C%22severity%22%3A%22critical%22%2C%22status%22%3A%22FIRING%22"
                + "%2C%22subject%22%3A%22%2Fv1%2Fchat%2Fcompletions%22%2C%22value%22%3A%220.3222%22%7D"),
        form);
    assertTrue(sms.judge().judge(200, "{\"Code\":\"OK\"}").delivered());

    Delivery.Http ding = assertInstanceOf(Delivery.Http.class, r.deliveries().get(3));
    assertTrue(
        ding.request().url().toString().contains("&timestamp=1767225630000&sign="),
        ding.request().url().toString());
    assertTrue(
        ding.request()
            .bodyText()
            .startsWith("{\"msgtype\":\"markdown\",\"markdown\":{\"title\":\"【告警】"),
        ding.request().bodyText());
  }

  @Test
  void aChannelWhoseProviderTheNodeLacksIsNamedNotSent() throws Exception {
    Deliveries.Result r =
        Deliveries.of(ALERT, receiver(), Providers.NONE, "http://monitor.example.com", NOW);
    assertEquals(
        List.of("webhook", "dingtalk"), r.deliveries().stream().map(Delivery::channel).toList());
    assertEquals(
        List.of(
            "email: no SMTP server configured (autoglm.notifier.smtp.host)",
            "sms: provider aliyun_sms is not configured (autoglm.notifier.sms)"),
        r.unsendable());
  }

  @Test
  void aReceiversOwnTemplatesReplaceTheDefaultsItNames() throws Exception {
    Receiver own =
        ReceiverCodec.parse(
            Json.mapper()
                .readTree(
                    """
                    {"name": "own", "alert_channels": [
                       {"type": "email", "recipients": ["ops@example.com"]},
                       {"type": "slack", "url": "https://hooks.slack.com/services/T/B/x"}],
                     "templates": {"email_subject": "[{{severity}}] {{rule}} is {{value}}",
                                   "chat_body": "{{subject}}: {{metric}} {{value}} — see {{url}}"}}
                    """),
            UrlGuard.strict());
    Deliveries.Result r = Deliveries.of(ALERT, own, providers(), "http://monitor.example.com", NOW);
    Delivery.Mail mail = assertInstanceOf(Delivery.Mail.class, r.deliveries().get(0));
    assertEquals("[critical] chat-errors is 0.3222", mail.subject());
    assertTrue(mail.text().contains("chat-errors"), "the default text stays: " + mail.text());
    Delivery.Http slack = assertInstanceOf(Delivery.Http.class, r.deliveries().get(1));
    assertEquals(
        "/v1/chat/completions: error_rate 0.3222 — see http://monitor.example.com/api/v1/alerts",
        Json.mapper()
            .readTree(slack.request().body())
            .get("text")
            .asText()
            .lines()
            .reduce((a, b) -> b)
            .orElse(""),
        slack.request().bodyText());
  }
}
