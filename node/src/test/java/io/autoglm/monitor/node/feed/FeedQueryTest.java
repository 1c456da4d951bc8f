package io.autoglm.monitor.node.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.protocols.rule.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FeedQueryTest {
  private static final long NOW = 1_780_000_000_000L;
  private static final Duration MAX_AGE = Duration.ofHours(1);

  /** A time-based UUID at {@code epochMillis}, as the journal makes them. */
  static UUID offsetAt(long epochMillis) {
    long ts = epochMillis * 10_000 + 0x01b21dd213814000L;
    long msb = (ts << 32) | ((ts & 0xFFFF_0000_0000L) >>> 16) | 0x1000L | ((ts >>> 48) & 0x0FFFL);
    return new UUID(msb, 0x8080808080808080L);
  }

  private static FeedQuery parse(Map<String, String> params) throws FeedQuery.Invalid {
    return FeedQuery.parse(params, NOW, MAX_AGE);
  }

  private static FeedQuery.Invalid refused(Map<String, String> params) {
    return assertThrows(FeedQuery.Invalid.class, () -> parse(params));
  }

  @Test
  void severitiesAreOneOrACommaList() throws Exception {
    assertEquals(Set.of(Severity.CRITICAL), parse(Map.of("severity", "critical")).severities());
    assertEquals(
        Set.of(Severity.CRITICAL, Severity.WARNING),
        parse(Map.of("severity", "critical, warning")).severities());
    FeedQuery.Invalid e = refused(Map.of("severity", "critical,urgent"));
    assertEquals(400, e.status());
    assertEquals("severity", e.field());
    assertEquals("unknown severity: urgent", e.getMessage());
    assertEquals("severity", refused(Map.of("severity", "")).field());
  }

  @Test
  void endpointAndRuleAreBounded() {
    assertEquals("endpoint", refused(Map.of("endpoint", "/" + "a".repeat(256))).field());
    assertEquals("endpoint", refused(Map.of("endpoint", "")).field());
    assertEquals("rule", refused(Map.of("rule", "a,,b")).field());
    assertEquals("rule", refused(Map.of("rule", "r".repeat(129))).field());
    StringBuilder many = new StringBuilder("r0");
    for (int i = 1; i <= FeedQuery.MAX_RULES; i++) {
      many.append(",r").append(i);
    }
    assertEquals("rule", refused(Map.of("rule", many.toString())).field());
  }

  @Test
  void globsMatchWithoutBacktracking() {
    assertTrue(FeedQuery.globMatches("/v1/chat/completions", "/v1/chat/completions"));
    assertFalse(FeedQuery.globMatches("/v1/chat/completions", "/v1/chat/completions2"));
    assertTrue(FeedQuery.globMatches("/v1/*", "/v1/chat/completions"));
    assertTrue(FeedQuery.globMatches("*/completions", "/v1/chat/completions"));
    assertTrue(FeedQuery.globMatches("/v?/gen*", "/v1/generate"));
    assertFalse(FeedQuery.globMatches("/v?/gen*", "/v10/generate"));
    assertTrue(FeedQuery.globMatches("*", ""));
    // a pattern that makes a backtracking regex explode: answered at once
    String hostile = "*a".repeat(100) + "b";
    long start = System.nanoTime();
    assertFalse(FeedQuery.globMatches(hostile, "a".repeat(256)));
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos());
  }

  @Test
  void aCursorRoundTripsAndABadOneIsRefused() throws Exception {
    FeedCursor cursor = new FeedCursor(offsetAt(NOW - 60_000), List.of(1L, -5L, Long.MAX_VALUE));
    assertEquals(NOW - 60_000, cursor.epochMillis());
    assertEquals(cursor, FeedCursor.decode(cursor.encode()));
    assertEquals(cursor, parse(Map.of("after", cursor.encode())).after().orElseThrow());

    FeedQuery.Invalid garbage = refused(Map.of("after", "not a cursor!"));
    assertEquals(400, garbage.status());
    assertEquals("after", garbage.field());
    assertEquals(400, refused(Map.of("after", "AQ")).status());
    assertEquals(
        400, refused(Map.of("after", "A".repeat(FeedCursor.MAX_ENCODED_LENGTH + 1))).status());
    FeedCursor old = new FeedCursor(offsetAt(NOW - MAX_AGE.toMillis() - 1_000), List.of());
    FeedQuery.Invalid tooOld = refused(Map.of("after", old.encode()));
    assertEquals(410, tooOld.status());
    assertEquals("after", tooOld.field());
    FeedCursor future = new FeedCursor(offsetAt(NOW + 3_600_000), List.of());
    assertEquals(400, refused(Map.of("after", future.encode())).status());
  }

  @Test
  void aCursorNamesAtMostMaxPendingChanges() {
    List<Long> most = java.util.stream.LongStream.range(0, FeedCursor.MAX_PENDING).boxed().toList();
    FeedCursor full = new FeedCursor(offsetAt(NOW), most);
    assertTrue(full.encode().length() <= FeedCursor.MAX_ENCODED_LENGTH);
    assertEquals(full, FeedCursor.decode(full.encode()));
    List<Long> tooMany =
        java.util.stream.LongStream.range(0, FeedCursor.MAX_PENDING + 1).boxed().toList();
    assertThrows(IllegalArgumentException.class, () -> new FeedCursor(offsetAt(NOW), tooMany));
  }

  @Test
  void thePingIntervalSetsTheServersKeepAlive() {
    Config config =
        ConfigFactory.load(
            ConfigFactory.parseString("autoglm.http.feed.ping-interval = 3s")
                .withFallback(ConfigFactory.parseResources("application.conf")));
    assertEquals(
        Duration.ofSeconds(3),
        config.getDuration("pekko.http.server.websocket.periodic-keep-alive-max-idle"));
    assertEquals("ping", config.getString("pekko.http.server.websocket.periodic-keep-alive-mode"));
    FeedSettings defaults = FeedSettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofSeconds(15), defaults.pingInterval());
    assertEquals(Duration.ofHours(1), defaults.resumeMaxAge());
    assertEquals(1000, defaults.resumeMaxAlerts());
  }
}
