package io.autoglm.monitor.notifier.channel.email;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.template.EmailTemplates;
import io.autoglm.monitor.notifier.template.MessageTemplates.Language;
import io.autoglm.monitor.protocols.alert.Alert;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Email through a real SMTP server (GreenMail), plain with login and over TLS (SMTPS). */
class EmailSenderTest {
  @RegisterExtension
  static final GreenMailExtension SMTP =
      new GreenMailExtension(
              new com.icegreen.greenmail.util.ServerSetup[] {
                ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.SMTPS.dynamicPort()
              })
          .withConfiguration(
              GreenMailConfiguration.aConfig().withUser("alerts@example.com", "alerts", "s3cret"));

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:30Z");

  private static final Alert ALERT = TestAlerts.firing("error_rate 0.3222 > 0.15 <b>", Map.of());

  private static SmtpSettings settings(int port, SmtpSettings.Security security, String password) {
    return new SmtpSettings(
        "127.0.0.1",
        port,
        security,
        "alerts",
        password,
        "AutoGLM Monitor <alerts@example.com>",
        Duration.ofSeconds(5),
        security == SmtpSettings.Security.NONE ? null : "127.0.0.1");
  }

  @Test
  void anAlertEmailIsTextAndHtmlWithItsIdempotencyKeyAsMessageId() throws Exception {
    EmailTemplates.Rendered mail =
        EmailTemplates.defaults(Language.ZH, ZoneId.of("Asia/Shanghai"))
            .render(ALERT, "http://monitor.example.com");
    EmailSender sender =
        new EmailSender(
            settings(
                SMTP.getSmtp().getServerSetup().getPort(), SmtpSettings.Security.NONE, "s3cret"));
    Answer answer =
        sender.send(
            List.of("oncall@example.com", "lead@example.com"),
            mail.subject(),
            mail.text(),
            mail.html(),
            "f1-1767225600000-firing",
            NOW);
    assertTrue(answer.delivered(), String.valueOf(answer));

    MimeMessage[] received = SMTP.getReceivedMessages();
    assertEquals(2, received.length, "one copy per recipient's mailbox");
    MimeMessage m = received[0];
    assertEquals("【告警】P1 严重 chat-errors /v1/chat/completions（default）", m.getSubject());
    assertEquals("AutoGLM Monitor <alerts@example.com>", m.getFrom()[0].toString());
    assertEquals(
        "oncall@example.com, lead@example.com", String.join(", ", List.of(m.getHeader("To", ","))));
    assertEquals("<f1-1767225600000-firing@autoglm>", m.getMessageID());
    assertEquals("f1-1767225600000-firing", m.getHeader("X-AutoGLM-Idempotency-Key")[0]);
    MimeMultipart parts = (MimeMultipart) m.getContent();
    assertTrue(m.getContentType().startsWith("multipart/alternative"), m.getContentType());
    assertEquals(2, parts.getCount());
    assertTrue(parts.getBodyPart(0).getContentType().startsWith("text/plain; charset=UTF-8"));
    String text = (String) parts.getBodyPart(0).getContent();
    assertTrue(text.contains("指标：error_rate = 0.3222（阈值 > 0.1500）"), text);
    assertTrue(text.contains("开始：2026-01-01 08:00:00 CST"), text);
    assertTrue(parts.getBodyPart(1).getContentType().startsWith("text/html; charset=UTF-8"));
    String html = (String) parts.getBodyPart(1).getContent();
    assertTrue(html.contains("<p>error_rate 0.3222 &gt; 0.15 &lt;b&gt;</p>"), "escaped: " + html);
  }

  @Test
  void overTls() throws Exception {
    EmailSender sender =
        new EmailSender(
            settings(
                SMTP.getSmtps().getServerSetup().getPort(), SmtpSettings.Security.SMTPS, "s3cret"));
    Answer answer =
        sender.send(List.of("oncall@example.com"), "s", "text", "<p>html</p>", "k-tls", NOW);
    assertTrue(answer.delivered(), String.valueOf(answer));
    assertEquals("s", SMTP.getReceivedMessages()[0].getSubject());
  }

  @Test
  void aRefusedLoginIsNotRetriedAndADownServerIs() throws Exception {
    Answer refused =
        new EmailSender(
                settings(
                    SMTP.getSmtp().getServerSetup().getPort(), SmtpSettings.Security.NONE, "wrong"))
            .send(List.of("oncall@example.com"), "s", "t", "h", "k1", NOW);
    assertFalse(refused.delivered());
    assertFalse(refused.retryable(), refused.error());
    assertTrue(refused.error().startsWith("SMTP login refused"), refused.error());

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Answer down =
        new EmailSender(settings(closed, SmtpSettings.Security.NONE, "s3cret"))
            .send(List.of("oncall@example.com"), "s", "t", "h", "k2", NOW);
    assertFalse(down.delivered());
    assertTrue(down.retryable(), down.error());
    assertEquals(0, SMTP.getReceivedMessages().length);
  }

  @Test
  void startTlsIsRequiredNotJustOffered() {
    Properties p =
        new SmtpSettings(
                "smtp.example.com",
                587,
                SmtpSettings.Security.STARTTLS,
                "u",
                "p",
                "a@example.com",
                Duration.ofSeconds(10),
                null)
            .properties();
    assertEquals("true", p.get("mail.smtp.starttls.enable"));
    assertEquals("true", p.get("mail.smtp.starttls.required"), "no silent fallback to plain");
    assertEquals("true", p.get("mail.smtp.ssl.checkserveridentity"));
    assertEquals("true", p.get("mail.smtp.auth"));
    assertEquals("10000", p.get("mail.smtp.timeout"));
  }
}
