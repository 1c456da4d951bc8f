package io.autoglm.monitor.node.auth;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code autoglm.auth.*}: whether requests need a token, the admin token given by config (or a
 * file), where the first admin token is written, how long a verified token is trusted before it is
 * read again (so a revocation reaches every node within that time), the most tokens, and how many
 * failed token checks an address may have in a window before it is refused ({@link
 * FailedTokenChecks}).
 */
public record AuthSettings(
    boolean enabled,
    Optional<String> adminToken,
    Path firstTokenFile,
    Duration cacheTtl,
    int maxTokens,
    boolean openMetrics,
    int maxFailedChecks,
    Duration failedChecksWindow) {

  /** Shortest admin token accepted from config: 16 characters (a generated one has 64). */
  public static final int MIN_CONFIGURED_TOKEN = 16;

  /** Longest token looked at; longer ones are refused unread. */
  public static final int MAX_TOKEN = 256;

  public static AuthSettings fromConfig(Config config) {
    Config c = config.getConfig("autoglm.auth");
    Optional<String> token =
        Optional.of(c.getString("admin-token").trim()).filter(s -> !s.isEmpty());
    String file = c.getString("admin-token-file").trim();
    if (token.isEmpty() && !file.isEmpty()) {
      try {
        token = Optional.of(Files.readString(Path.of(file), StandardCharsets.UTF_8).trim());
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "autoglm.auth.admin-token-file (AUTOGLM_ADMIN_TOKEN_FILE): cannot read "
                + file
                + ": "
                + e,
            e);
      }
    }
    token.ifPresent(
        t -> {
          if (t.length() < MIN_CONFIGURED_TOKEN
              || t.length() > MAX_TOKEN
              || !t.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new IllegalArgumentException(
                "autoglm.auth.admin-token (AUTOGLM_ADMIN_TOKEN, or the admin-token-file): must be "
                    + MIN_CONFIGURED_TOKEN
                    + " to "
                    + MAX_TOKEN
                    + " printable ASCII characters without spaces, e.g. `openssl rand -hex 32`");
          }
        });
    int max = c.getInt("max-tokens");
    if (max < 1 || max > 100_000) {
      throw new IllegalArgumentException("autoglm.auth.max-tokens must be 1..100000, not " + max);
    }
    int maxFailed = c.getInt("max-failed-checks");
    if (maxFailed < 0 || maxFailed > 1_000_000) {
      throw new IllegalArgumentException(
          "autoglm.auth.max-failed-checks must be 0 (no limit) to 1000000, not " + maxFailed);
    }
    Duration failedWindow = c.getDuration("failed-checks-window");
    if (failedWindow.isNegative()
        || failedWindow.isZero()
        || failedWindow.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "autoglm.auth.failed-checks-window must be more than 0 and at most 1d, not "
              + c.getString("failed-checks-window"));
    }
    return new AuthSettings(
        c.getBoolean("enabled"),
        token,
        Path.of(c.getString("first-token-file")),
        c.getDuration("cache-ttl"),
        max,
        config.getBoolean("autoglm.metrics.open"),
        maxFailed,
        failedWindow);
  }
}
