package io.autoglm.monitor.sharding.ips;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.RuleScope;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpAdmissionTest {
  private static final long T0 = 1_767_225_600_000L;
  private final RuleCache rules = new RuleCache();
  private final List<IpKey> announced = new ArrayList<>();

  private IpAdmission admission(int maxTracked) {
    return new IpAdmission(
        new IpAdmission.Settings(100, 10_000, maxTracked, 600_000, 10_000, 64, 10_000),
        rules,
        announced::add);
  }

  /** One batch's sketch: {@code heavy} requests from 10.0.0.1 among {@code others} addresses. */
  private static SourceIpSketch batch(int heavy, int others, int offset) {
    return fill(SourceIpSketch.accumulator(), heavy, others, offset);
  }

  /** {@link #batch} as ingest builds it: each address held exactly, so counts are exact. */
  private static SourceIpSketch ingestBatch(int heavy, int others, int offset) {
    return fill(SourceIpSketch.accumulatorOfCanonical(16_384), heavy, others, offset);
  }

  private static SourceIpSketch fill(
      SourceIpSketch.Accumulator acc, int heavy, int others, int offset) {
    acc.add("10.0.0.1", heavy);
    for (int i = 0; i < others; i++) {
      int n = offset + i;
      acc.add("172." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255));
    }
    return acc.build();
  }

  @Test
  void aHeavyHitterWithinOneWindowIsAdmittedAndAnnounced() {
    IpAdmission ips = admission(10);
    ips.observe("svc", batch(60, 20, 0), T0 + 1_000, T0);
    assertFalse(ips.tracked("svc", "10.0.0.1"), "60 requests: not yet");
    ips.observe("svc", batch(60, 20, 100), T0 + 2_000, T0);
    assertTrue(ips.tracked("svc", "10.0.0.1"), "120 within 10 s of event time");
    assertFalse(ips.tracked("other-svc", "10.0.0.1"), "per service");
    assertEquals(List.of(new IpKey("svc", "10.0.0.1")), announced);
    assertEquals(List.of("svc/10.0.0.1"), ips.trackedIps());
  }

  @Test
  void batchesFromIngestAdmitAtExactlyTheThreshold() {
    // 2,000 other addresses per batch: a sketch's lower bound would sit far below the true count
    IpAdmission ips = admission(10);
    ips.observe("svc", ingestBatch(50, 2_000, 0), T0 + 1_000, T0);
    ips.observe("svc", ingestBatch(49, 2_000, 2_000), T0 + 2_000, T0);
    assertFalse(ips.tracked("svc", "10.0.0.1"), "99 requests within the window: not yet");
    ips.observe("svc", ingestBatch(1, 2_000, 4_000), T0 + 3_000, T0);
    assertTrue(ips.tracked("svc", "10.0.0.1"), "the 100th request admits it");
    assertEquals(List.of(new IpKey("svc", "10.0.0.1")), announced, "and only it");
  }

  @Test
  void countsInDifferentWindowsDoNotAddUp() {
    IpAdmission ips = admission(10);
    ips.observe("svc", batch(60, 0, 0), T0 + 1_000, T0);
    ips.observe("svc", batch(60, 0, 0), T0 + 11_000, T0);
    assertFalse(ips.tracked("svc", "10.0.0.1"));
  }

  @Test
  void aSprayOfAMillionAddressesAdmitsNoneAndKeepsFewCandidates() {
    IpAdmission ips = admission(100_000);
    for (int b = 0; b < 100; b++) {
      ips.observe("svc", batch(0, 10_000, b * 10_000), T0 + b * 600L, T0);
    }
    assertEquals(List.of(), ips.trackedIps());
    assertTrue(announced.isEmpty());
  }

  @Test
  void atMostMaxTrackedAreTrackedAndTheRestAreCountedAsRefused() {
    IpAdmission ips = admission(1);
    ips.learn(new IpKey("svc", "192.0.2.1"), T0);
    ips.observe("svc", batch(200, 0, 0), T0, T0);
    assertFalse(ips.tracked("svc", "10.0.0.1"));
    assertEquals(1, ips.refused());
  }

  @Test
  void anIpARuleNamesIsTrackedFromItsFirstRequestAndIdleOnesGo() {
    rules.offer(
        RuleSet.EMPTY.with(
            new ThresholdRule(
                "watch",
                Metric.QPS,
                Comparison.GT,
                1,
                0,
                0,
                Severity.INFO,
                Glob.of("*"),
                Glob.of("*"),
                "",
                0,
                RuleScope.IP,
                Glob.of("198.51.100.*"))));
    IpAdmission ips = admission(10);
    assertTrue(ips.tracked("svc", "198.51.100.9"));
    assertFalse(ips.tracked("svc", "198.51.101.9"));
    ips.sweep(System.currentTimeMillis() + 600_001);
    assertEquals(List.of(), ips.trackedIps(), "idle for longer than autoglm.ips.idle");
  }

  @Test
  void badSettingsNameTheirKey() {
    com.typesafe.config.Config base = com.typesafe.config.ConfigFactory.load();
    for (String[] bad :
        new String[][] {
          {"autoglm.ips.groups", "0", "autoglm.ips.groups must be 1..4096, got 0"},
          {"autoglm.ips.groups", "5000", "autoglm.ips.groups must be 1..4096, got 5000"},
          {
            "autoglm.ips.history-interval",
            "10ms",
            "autoglm.ips.history-interval must be at least 1s"
          }
        }) {
      com.typesafe.config.Config c =
          com.typesafe.config.ConfigFactory.parseMap(java.util.Map.of(bad[0], bad[1]))
              .withFallback(base);
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> IpAdmission.Settings.fromConfig(c));
      assertEquals(bad[2], e.getMessage());
    }
    assertEquals(64, IpAdmission.Settings.fromConfig(base).groups());
  }

  @Test
  void theWatchListNamesIpsToTrackFromTheirFirstRequest() {
    RuleCache rules = new RuleCache();
    IpAdmission ips =
        new IpAdmission(
            new IpAdmission.Settings(100, 10_000, 10, 600_000, 10_000, 64, 10_000),
            rules,
            ip -> {});
    assertFalse(ips.tracked("svc", "198.51.100.7"));
    rules.offer(
        RuleSet.EMPTY.withWatch(
            new io.autoglm.monitor.protocols.rule.IpWatch(
                "waf", Glob.of("svc"), Glob.of("198.51.100.*"), "")));
    assertTrue(ips.tracked("svc", "198.51.100.7"), "named by the watch list");
    assertFalse(ips.tracked("other", "198.51.100.8"), "another service");
    assertFalse(ips.tracked("svc", "10.0.0.1"));
  }
}
