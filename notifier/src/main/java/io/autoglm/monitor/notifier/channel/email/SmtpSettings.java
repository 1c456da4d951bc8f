package io.autoglm.monitor.notifier.channel.email;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;

/**
 * How an email receiver reaches its SMTP server.
 *
 * @param security {@code STARTTLS} (the default: plain connection upgraded to TLS, required),
 *     {@code SMTPS} (TLS from the start, port 465) or {@code NONE} (a relay on a trusted network)
 * @param username null without SMTP authentication
 * @param trustedHost a host whose certificate is trusted without checking (a test server's
 *     self-signed one); null to check certificates
 */
public record SmtpSettings(
    String host,
    int port,
    Security security,
    String username,
    String password,
    String from,
    Duration timeout,
    String trustedHost) {

  public enum Security {
    NONE,
    STARTTLS,
    SMTPS;

    public static Security of(String name) {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** The Jakarta Mail session properties for these settings. */
  Properties properties() {
    String p = security == Security.SMTPS ? "mail.smtps." : "mail.smtp.";
    Properties props = new Properties();
    props.put("mail.transport.protocol", security == Security.SMTPS ? "smtps" : "smtp");
    props.put(p + "host", host);
    props.put(p + "port", Integer.toString(port));
    props.put(p + "auth", Boolean.toString(username != null));
    props.put(p + "connectiontimeout", Long.toString(timeout.toMillis()));
    props.put(p + "timeout", Long.toString(timeout.toMillis()));
    props.put(p + "writetimeout", Long.toString(timeout.toMillis()));
    if (security == Security.STARTTLS) {
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
    }
    if (security != Security.NONE) {
      props.put(p + "ssl.checkserveridentity", Boolean.toString(trustedHost == null));
      if (trustedHost != null) {
        props.put(p + "ssl.trust", trustedHost);
      }
    }
    return props;
  }
}
