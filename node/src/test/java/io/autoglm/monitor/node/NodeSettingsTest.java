package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's HTTP settings: defaults as documented, and a bad value names its key at start. */
class NodeSettingsTest {

  private static NodeSettings with(Map<String, Object> overrides) {
    return NodeSettings.fromConfig(
        ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load()).resolve());
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    NodeSettings s = with(Map.of());
    assertEquals(16L * 1024 * 1024, s.maxIngestBytes());
    assertEquals(64L * 1024, s.maxRuleBytes());
    assertEquals(60, s.statsPanes());
    assertTrue(s.allowedOrigins().isEmpty());
    assertEquals(java.time.Duration.ofHours(24), s.recentAlertsLookback());
  }

  @Test
  void aBadValueNamesItsKey() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> with(Map.of("autoglm.http.max-rule-bytes", "0")))
            .getMessage()
            .contains("autoglm.http.max-rule-bytes"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> with(Map.of("autoglm.http.stats-panes", -1)))
            .getMessage()
            .contains("autoglm.http.stats-panes"));
    for (String lookback : new String[] {"-1s", "31d"}) {
      assertEquals(
          "autoglm.http.recent-alerts-lookback must be 0s (off) to 30d, got PT"
              + (lookback.equals("-1s") ? "-1S" : "744H"),
          assertThrows(
                  IllegalArgumentException.class,
                  () -> with(Map.of("autoglm.http.recent-alerts-lookback", lookback)))
              .getMessage());
    }
    assertEquals(
        java.time.Duration.ZERO,
        with(Map.of("autoglm.http.recent-alerts-lookback", "0s")).recentAlertsLookback());
  }
}
