package io.autoglm.monitor.notifier.channel;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code autoglm.notifier.webhook}: where to POST alerts and how hard to try.
 *
 * @param url empty when no webhook is configured
 */
public record WebhookSettings(
    String url,
    Duration requestTimeout,
    int maxAttempts,
    Duration minBackoff,
    Duration maxBackoff,
    String externalUrl) {

  public static WebhookSettings fromConfig(Config root) {
    Config c = root.getConfig("autoglm.notifier.webhook");
    return new WebhookSettings(
        c.getString("url").trim(),
        c.getDuration("request-timeout"),
        c.getInt("max-attempts"),
        c.getDuration("min-backoff"),
        c.getDuration("max-backoff"),
        root.getString("autoglm.notifier.external-url"));
  }

  public boolean enabled() {
    return !url.isEmpty();
  }

  /** Exponential backoff before attempt {@code attempt} (2, 3, ...), capped at maxBackoff. */
  public Duration backoff(int attempt) {
    long ms = minBackoff.toMillis() << Math.min(20, Math.max(0, attempt - 2));
    return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
  }
}
