package io.autoglm.monitor.node.feed;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code autoglm.http.feed}: how far a feed client can resume.
 *
 * @param resumeMaxAge the oldest cursor a client may resume from (older: 410)
 * @param resumeMaxAlerts the most alerts one resume replays; past them the client gets a {@code
 *     gap} message and the live feed
 * @param pingInterval how long a feed connection may be idle before the server pings it (the
 *     server's {@code pekko.http.server.websocket.periodic-keep-alive-max-idle}, which is set from
 *     it)
 */
public record FeedSettings(Duration resumeMaxAge, int resumeMaxAlerts, Duration pingInterval) {

  public FeedSettings {
    if (resumeMaxAge.isNegative() || resumeMaxAge.isZero()) {
      throw new IllegalArgumentException("autoglm.http.feed.resume-max-age must be positive");
    }
    if (resumeMaxAlerts < 1 || resumeMaxAlerts > 100_000) {
      throw new IllegalArgumentException(
          "autoglm.http.feed.resume-max-alerts must be 1..100000, got " + resumeMaxAlerts);
    }
  }

  public static FeedSettings fromConfig(Config root) {
    Config c = root.getConfig("autoglm.http.feed");
    return new FeedSettings(
        c.getDuration("resume-max-age"),
        c.getInt("resume-max-alerts"),
        c.getDuration("ping-interval"));
  }
}
