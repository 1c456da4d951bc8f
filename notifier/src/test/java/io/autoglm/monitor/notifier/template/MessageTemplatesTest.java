package io.autoglm.monitor.notifier.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.notifier.template.MessageTemplates.Language;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTemplatesTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  private static final Alert FIRING =
      TestAlerts.firing(
          "error_rate 0.322 is 9.4σ above the 1h baseline 0.012 ± 0.032",
          Map.of("team", "llm-gw", "env", "prod"));

  @Test
  void chatDefaultsInEnglish() {
    MessageTemplates.Rendered m =
        MessageTemplates.defaults("chat", Language.EN, ZoneId.of("UTC"))
            .render(FIRING, "http://monitor.example.com");
    assertEquals("[FIRING] P1 chat-errors on /v1/chat/completions", m.title());
    assertEquals(
        """
        **CRITICAL on /v1/chat/completions: error_rate = 0.3222 (> 0.1500)**
        > error_rate 0.322 is 9.4σ above the 1h baseline 0.012 ± 0.032
        - service: default
        - endpoint: /v1/chat/completions
        - error_rate: 0.3222 (threshold > 0.1500)
        - since: 2026-01-01 00:00:00 UTC
        - env: prod
        - team: llm-gw
        [alerts](http://monitor.example.com/api/v1/alerts)""",
        m.body());
  }

  @Test
  void chatDefaultsInChineseInTheReceiversTimeZone() {
    Alert resolved = FIRING.resolved(0.01, 1_767_225_900_000L, 1_767_225_900_000L);
    MessageTemplates.Rendered m =
        MessageTemplates.defaults("chat", Language.ZH, SHANGHAI)
            .render(resolved, "http://monitor.example.com");
    assertEquals("【恢复】P1 严重 chat-errors /v1/chat/completions", m.title());
    assertTrue(
        m.body().contains("- 开始：2026-01-01 08:00:00 CST，恢复：2026-01-01 08:05:00 CST"), m.body());
    assertTrue(m.body().contains("- 接口：/v1/chat/completions"), m.body());
  }

  @Test
  void smsIsOneLine() {
    MessageTemplates.Rendered en =
        MessageTemplates.defaults("sms", Language.EN, ZoneId.of("UTC")).render(FIRING, "http://x");
    assertEquals("", en.title());
    assertEquals(
        "[FIRING] P1 chat-errors /v1/chat/completions: error_rate 0.3222 (> 0.1500) since"
            + " 2026-01-01 00:00:00 UTC",
        en.body());
    assertEquals(
        "【告警】P1 严重 chat-errors /v1/chat/completions：error_rate 0.3222（阈值 > 0.1500），开始"
            + " 2026-01-01 08:00:00 CST",
        MessageTemplates.defaults("sms", Language.ZH, SHANGHAI).render(FIRING, "http://x").body());
  }

  @Test
  void aReceiversOwnTemplatesAreNotHtmlEscaped() {
    MessageTemplates own =
        MessageTemplates.of(
            "{{severity}}: {{rule}}",
            "{{comparison}} {{threshold}} <{{subject}}>",
            Language.EN,
            ZoneId.of("UTC"));
    MessageTemplates.Rendered m = own.render(FIRING, "http://x");
    assertEquals("critical: chat-errors", m.title());
    assertEquals("> 0.1500 </v1/chat/completions>", m.body());
    MessageTemplates.InvalidTemplateException e =
        assertThrows(
            MessageTemplates.InvalidTemplateException.class,
            () -> MessageTemplates.of("{{#firing}}unclosed", "x", Language.EN, ZoneId.of("UTC")));
    assertTrue(e.getMessage().startsWith("template title is invalid: "), e.getMessage());
  }
}
