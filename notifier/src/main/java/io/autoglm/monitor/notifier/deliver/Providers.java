package io.autoglm.monitor.notifier.deliver;

import com.typesafe.config.Config;
import io.autoglm.monitor.notifier.channel.email.SmtpSettings;
import io.autoglm.monitor.notifier.channel.sms.AliyunSms;
import io.autoglm.monitor.notifier.channel.sms.HttpSms;
import io.autoglm.monitor.notifier.channel.sms.TwilioSms;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node's own accounts that receivers' channels go out through ({@code autoglm.notifier.smtp},
 * {@code autoglm.notifier.sms.aliyun}, {@code autoglm.notifier.sms.twilio}): a receiver names
 * recipients and phone numbers, the operator's configuration holds the credentials. Empty where not
 * configured.
 */
public record Providers(
    Optional<SmtpSettings> smtp,
    Optional<AliyunSms> aliyun,
    Optional<TwilioSms> twilio,
    Optional<HttpSms> httpSms) {

  public static final Providers NONE =
      new Providers(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  /** The node's accounts, without a generic HTTP SMS gateway. */
  public Providers(
      Optional<SmtpSettings> smtp, Optional<AliyunSms> aliyun, Optional<TwilioSms> twilio) {
    this(smtp, aliyun, twilio, Optional.empty());
  }

  public static Providers fromConfig(Config root) {
    Config n = root.getConfig("autoglm.notifier");
    Optional<SmtpSettings> smtp = Optional.empty();
    Config m = n.getConfig("smtp");
    if (!m.getString("host").isBlank()) {
      smtp =
          Optional.of(
              new SmtpSettings(
                  m.getString("host"),
                  m.getInt("port"),
                  SmtpSettings.Security.of(m.getString("security")),
                  m.getString("username").isEmpty() ? null : m.getString("username"),
                  m.getString("password"),
                  m.getString("from"),
                  m.getDuration("timeout"),
                  m.getString("trusted-host").isEmpty() ? null : m.getString("trusted-host")));
    }
    Optional<AliyunSms> aliyun = Optional.empty();
    Config a = n.getConfig("sms.aliyun");
    if (!a.getString("access-key-id").isBlank()) {
      aliyun =
          Optional.of(
              new AliyunSms(
                  URI.create(a.getString("endpoint")),
                  a.getString("access-key-id"),
                  a.getString("access-key-secret"),
                  a.getString("region"),
                  a.getString("sign-name"),
                  a.getString("template-code")));
    }
    Optional<TwilioSms> twilio = Optional.empty();
    Config t = n.getConfig("sms.twilio");
    if (!t.getString("account-sid").isBlank()) {
      twilio =
          Optional.of(
              new TwilioSms(
                  URI.create(t.getString("api")),
                  t.getString("account-sid"),
                  t.getString("auth-token"),
                  t.getString("from")));
    }
    Optional<HttpSms> http = Optional.empty();
    Config h = n.getConfig("sms.http");
    if (!h.getString("url").isBlank()) {
      Map<String, String> headers = new LinkedHashMap<>();
      h.getConfig("headers")
          .root()
          .unwrapped()
          .forEach((k, v) -> headers.put(k, String.valueOf(v)));
      try {
        http =
            Optional.of(
                new HttpSms(
                    URI.create(h.getString("url")),
                    h.getString("method"),
                    headers,
                    h.getString("content-type"),
                    h.getString("body"),
                    h.getBoolean("per-phone"),
                    h.getString("ok-body-contains")));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("autoglm.notifier.sms.http." + e.getMessage(), e);
      }
    }
    return new Providers(smtp, aliyun, twilio, http);
  }

  /**
   * Whether the node can send on {@code provider} ({@code email}, {@code aliyun_sms}, {@code
   * twilio}).
   */
  public boolean has(String provider) {
    return switch (provider) {
      case "email" -> smtp.isPresent();
      case "aliyun_sms" -> aliyun.isPresent();
      case "twilio" -> twilio.isPresent();
      case "http" -> httpSms.isPresent();
      default -> true;
    };
  }
}
