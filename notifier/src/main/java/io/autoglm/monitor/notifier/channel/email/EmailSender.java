package io.autoglm.monitor.notifier.channel.email;

import io.autoglm.monitor.notifier.channel.robot.Answer;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Sends one alert email over SMTP with Jakarta Mail (Eclipse Angus): {@code multipart/alternative}
 * with a plain-text and an HTML part, both UTF-8. The delivery's idempotency key is its {@code
 * Message-ID} (so a copy sent again after a crash is the same message to mail clients, which show
 * it once) and the {@code X-AutoGLM-Idempotency-Key} header. Blocking: run it on a dispatcher for
 * blocking work.
 */
public final class EmailSender {
  private final SmtpSettings settings;
  private final Session session;

  public EmailSender(SmtpSettings settings) {
    this.settings = settings;
    this.session = Session.getInstance(settings.properties());
  }

  /** The message as it is sent. */
  MimeMessage message(
      List<String> to, String subject, String text, String html, String idempotencyKey, Instant now)
      throws MessagingException {
    String messageId = "<" + idempotencyKey + "@autoglm>";
    MimeMessage m =
        new MimeMessage(session) {
          @Override
          protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
          }
        };
    m.setFrom(new InternetAddress(settings.from(), true));
    for (String address : to) {
      m.addRecipient(Message.RecipientType.TO, new InternetAddress(address, true));
    }
    m.setSubject(subject, "UTF-8");
    m.setSentDate(Date.from(now));
    m.setHeader("X-AutoGLM-Idempotency-Key", idempotencyKey);
    MimeBodyPart plain = new MimeBodyPart();
    plain.setText(text, "UTF-8", "plain");
    MimeBodyPart rich = new MimeBodyPart();
    rich.setText(html, "UTF-8", "html");
    MimeMultipart alternative = new MimeMultipart("alternative");
    alternative.addBodyPart(plain);
    alternative.addBodyPart(rich);
    m.setContent(alternative);
    m.saveChanges();
    return m;
  }

  /**
   * Sends the message; what the server said as an {@link Answer}: a 4xx reply or a connection
   * failure is worth retrying, a 5xx reply (a refused recipient, a message too large) and a failed
   * login are not.
   */
  public Answer send(
      List<String> to,
      String subject,
      String text,
      String html,
      String idempotencyKey,
      Instant now) {
    try {
      MimeMessage m = message(to, subject, text, html, idempotencyKey, now);
      // the transport named by the settings: Transport.send would pick one by the address type
      // (always plain "smtp") and miss the SMTPS host and port
      try (Transport transport =
          session.getTransport(
              settings.security() == SmtpSettings.Security.SMTPS ? "smtps" : "smtp")) {
        transport.connect(
            settings.host(), settings.port(), settings.username(), settings.password());
        transport.sendMessage(m, m.getAllRecipients());
      }
      return Answer.DELIVERED;
    } catch (AuthenticationFailedException e) {
      return Answer.failed(false, "SMTP login refused: " + e.getMessage());
    } catch (SMTPSendFailedException e) {
      return Answer.failed(
          e.getReturnCode() < 500, "SMTP " + e.getReturnCode() + ": " + oneLine(e));
    } catch (SendFailedException e) {
      // recipients refused; a nested SMTP reply says whether for good
      Exception next = e.getNextException();
      boolean transientReply =
          next instanceof org.eclipse.angus.mail.smtp.SMTPAddressFailedException a
              && a.getReturnCode() < 500;
      return Answer.failed(transientReply, "SMTP refused the message: " + oneLine(e));
    } catch (MessagingException e) {
      return Answer.failed(true, "SMTP: " + oneLine(e));
    }
  }

  private static String oneLine(Exception e) {
    StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable c = e.getCause();
    if (c != null && c.getMessage() != null && !s.toString().contains(c.getMessage())) {
      s.append(" (").append(c.getMessage()).append(')');
    }
    return s.toString().strip().replaceAll("\\s+", " ");
  }
}
