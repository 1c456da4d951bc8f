package io.autoglm.monitor.notifier.channel;

import com.typesafe.config.Config;
import io.autoglm.monitor.notifier.net.UrlGuard;
import java.time.Duration;
import java.util.List;

/**
 * {@code autoglm.notifier.webhook}: where to POST alerts, how to sign them and how hard to try.
 *
 * @param url empty when no webhook is configured
 * @param secret the key of the {@code X-AutoGLM-Signature} header; empty: unsigned
 * @param allowedNetworks {@code autoglm.notifier.allowed-networks}: private addresses a receiver
 *     may be at after all (the SSRF guard refuses them otherwise)
 */
public record WebhookSettings(
    String url,
    String secret,
    Duration requestTimeout,
    int maxAttempts,
    Duration minBackoff,
    Duration maxBackoff,
    String externalUrl,
    List<String> allowedNetworks) {

  /**
   * The settings; an {@link IllegalArgumentException} naming the key when the URL is one the SSRF
   * guard refuses (checked here, as it is saved, and again on every connection).
   */
  public static WebhookSettings fromConfig(Config root) {
    Config c = root.getConfig("autoglm.notifier.webhook");
    WebhookSettings s =
        new WebhookSettings(
            c.getString("url").trim(),
            c.getString("secret"),
            c.getDuration("request-timeout"),
            c.getInt("max-attempts"),
            c.getDuration("min-backoff"),
            c.getDuration("max-backoff"),
            root.getString("autoglm.notifier.external-url"),
            root.getStringList("autoglm.notifier.allowed-networks"));
    if (s.enabled()) {
      try {
        s.guard().check(s.url());
      } catch (UrlGuard.RefusedUrlException e) {
        throw new IllegalArgumentException("autoglm.notifier.webhook.url: " + e.getMessage(), e);
      }
    }
    return s;
  }

  public boolean enabled() {
    return !url.isEmpty();
  }

  public UrlGuard guard() {
    return new UrlGuard(allowedNetworks);
  }

  /** Exponential backoff before attempt {@code attempt} (2, 3, ...), capped at maxBackoff. */
  public Duration backoff(int attempt) {
    long ms = minBackoff.toMillis() << Math.min(20, Math.max(0, attempt - 2));
    return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
  }
}
