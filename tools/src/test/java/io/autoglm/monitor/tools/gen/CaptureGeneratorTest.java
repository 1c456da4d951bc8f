package io.autoglm.monitor.tools.gen;

import static org.junit.jupiter.api.Assertions.*;

import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.tools.gen.CaptureGenerator.Options;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class CaptureGeneratorTest {

  static final long T0 = Options.DEFAULT_START_MS;

  static List<CaptureRecord> run(Options o) {
    List<CaptureRecord> out = new ArrayList<>();
    new CaptureGenerator(o).generate(out::add);
    return out;
  }

  static Options small(Scenario s) {
    return Options.defaults().withSeconds(120).withRate(500).withScenario(s);
  }

  @Test
  void sameSeedGivesTheSameRecordsAndAnotherSeedDifferentOnes() {
    Options o = small(Scenario.MIXED).withSeconds(30);
    List<CaptureRecord> a = run(o);
    assertEquals(a, run(o));
    List<CaptureRecord> viaIterator = new ArrayList<>();
    new CaptureGenerator(o).records().forEachRemaining(viaIterator::add);
    assertEquals(a, viaIterator);
    List<CaptureRecord> b = run(o.withSeed(8));
    assertNotEquals(a, b);
    assertNotEquals(a.get(0), b.get(0));
  }

  @Test
  void recordsAreInTimestampOrderInsideTheRunAndEachSecondHasRateRequests() {
    Options o = small(Scenario.STEADY).withSeconds(20).withRate(300).withStartMs(T0 + 5_000);
    List<CaptureRecord> rs = run(o);
    assertEquals(20 * 300, rs.size());
    for (int i = 1; i < rs.size(); i++) {
      assertTrue(rs.get(i - 1).ts() <= rs.get(i).ts(), "ordered at " + i);
    }
    assertTrue(rs.get(0).ts() >= T0 + 5_000);
    assertTrue(rs.get(rs.size() - 1).ts() < T0 + 25_000);
    long[] perSecond = new long[20];
    rs.forEach(r -> perSecond[(int) ((r.ts() - T0 - 5_000) / 1000)]++);
    assertTrue(Arrays.stream(perSecond).allMatch(n -> n == 300), Arrays.toString(perSecond));
  }

  @Test
  void trafficLooksLikeTheBenchmarkGenerator() {
    List<CaptureRecord> rs = run(small(Scenario.STEADY).withSeconds(60).withRate(1000));
    Map<String, Long> byEndpoint = new HashMap<>();
    rs.forEach(r -> byEndpoint.merge(r.endpoint(), 1L, Long::sum));
    double n = rs.size();
    assertEquals(0.55, byEndpoint.get("/v1/chat/completions") / n, 0.01);
    assertEquals(0.02, byEndpoint.get("/v1/images/generations") / n, 0.005);
    assertEquals(7, byEndpoint.size());
    assertEquals(0.012, rs.stream().filter(CaptureRecord::isError).count() / n, 0.003);
    for (CaptureRecord r : rs) {
      boolean llm =
          Set.of("/v1/chat/completions", "/v1/generate", "/v1/completions").contains(r.endpoint());
      assertEquals(llm, r.model() != null, r.toString());
      assertEquals(llm, r.hasTtft());
      assertTrue(r.hasBytesIn() && r.hasBytesOut());
      assertEquals(
          r.endpoint().equals("/health") || r.endpoint().equals("/v1/models") ? "GET" : "POST",
          r.method());
      assertTrue(r.srcIp().startsWith("100."), r.srcIp());
      if (llm && r.status() != 200) {
        assertEquals(0, r.completionTokens());
      }
    }
    // Zipf: the busiest client sends far more than an average one
    Map<String, Long> byIp = new HashMap<>();
    rs.forEach(r -> byIp.merge(r.srcIp(), 1L, Long::sum));
    long top = byIp.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    assertTrue(top > 50 * (n / byIp.size()), "top " + top + " of " + byIp.size() + " IPs");
    // lognormal medians near the table
    assertEquals(800, median(rs, r -> r.endpoint().equals("/v1/chat/completions")), 40);
    assertEquals(40, median(rs, r -> r.endpoint().equals("/v1/embeddings")), 2);
    // every record survives the wire format
    for (CaptureRecord r : rs.subList(0, 500)) {
      assertEquals(r, CaptureCodec.decodeLine(CaptureCodec.encode(r), 1));
    }
    assertTrue(rs.stream().filter(r -> r.traceId() != null).count() > n / 8);
  }

  @Test
  void errorBurstRaisesTheChatErrorRateOnlyInsideTheTruthWindow() {
    CaptureGenerator g = new CaptureGenerator(small(Scenario.ERROR_BURST));
    Anomaly burst = g.truth().get(0);
    assertEquals(
        new Anomaly("error-burst", "/v1/chat/completions", T0 + 40_000, T0 + 70_000), burst);
    long[] inside = new long[2];
    long[] outside = new long[2];
    long[] otherInside = new long[2];
    g.generate(
        r -> {
          long[] c =
              r.endpoint().equals("/v1/chat/completions")
                  ? (burst.covers(r.ts()) ? inside : outside)
                  : (burst.covers(r.ts()) ? otherInside : new long[2]);
          c[0]++;
          if (r.isError()) {
            c[1]++;
          }
        });
    double in = (double) inside[1] / inside[0];
    double out = (double) outside[1] / outside[0];
    double other = (double) otherInside[1] / otherInside[0];
    assertTrue(in > 0.25 && in < 0.36, "inside " + in);
    assertTrue(out < 0.02, "outside " + out);
    assertTrue(other < 0.02, "other endpoints inside " + other);
  }

  @Test
  void latencySpikeMultipliesGenerateLatencyInsideTheWindow() {
    CaptureGenerator g = new CaptureGenerator(small(Scenario.LATENCY_SPIKE));
    Anomaly spike = g.truth().get(0);
    assertEquals("/v1/generate", spike.target());
    List<CaptureRecord> rs = new ArrayList<>();
    g.generate(rs::add);
    double in = median(rs, r -> r.endpoint().equals("/v1/generate") && spike.covers(r.ts()));
    double out = median(rs, r -> r.endpoint().equals("/v1/generate") && !spike.covers(r.ts()));
    assertEquals(4.0, in / out, 0.5);
    double chat =
        median(rs, r -> r.endpoint().equals("/v1/chat/completions") && spike.covers(r.ts()));
    assertEquals(800, chat, 60);
  }

  @Test
  void ipFloodAddsAQuarterOfTheRateFromOneAddressHalfRateLimited() {
    CaptureGenerator g = new CaptureGenerator(small(Scenario.IP_FLOOD));
    Anomaly flood = g.truth().get(0);
    assertEquals("203.0.113.66", flood.target());
    List<CaptureRecord> fromFlood = new ArrayList<>();
    g.generate(
        r -> {
          if (r.srcIp().equals("203.0.113.66")) {
            fromFlood.add(r);
          }
        });
    assertTrue(fromFlood.stream().allMatch(r -> flood.covers(r.ts())));
    assertEquals(30 * (500 / 4), fromFlood.size());
    double limited =
        fromFlood.stream().filter(r -> r.status() == 429).count() / (double) fromFlood.size();
    assertEquals(0.5, limited, 0.06);
  }

  @Test
  void qpsSurgeAddsHalfTheRateToEmbeddings() {
    CaptureGenerator g = new CaptureGenerator(small(Scenario.QPS_SURGE));
    Anomaly surge = g.truth().get(0);
    long[] in = new long[1];
    long[] out = new long[1];
    g.generate(
        r -> {
          if (r.endpoint().equals("/v1/embeddings")) {
            (surge.covers(r.ts()) ? in : out)[0]++;
          }
        });
    double perSecondIn = in[0] / 30.0;
    double perSecondOut = out[0] / 90.0;
    assertEquals(500 * 0.15, perSecondOut, 8);
    assertEquals(500 * 0.15 + 250, perSecondIn, 10);
  }

  @Test
  void ipSprayUsesManyBenchmarkAddressesOnlyInsideTheWindow() {
    CaptureGenerator g = new CaptureGenerator(small(Scenario.IP_SPRAY));
    Anomaly spray = g.truth().get(0);
    Set<String> sprayIps = new HashSet<>();
    long[] count = new long[1];
    g.generate(
        r -> {
          if (r.srcIp().startsWith("198.18.") || r.srcIp().startsWith("198.19.")) {
            assertTrue(spray.covers(r.ts()));
            assertEquals("/v1/chat/completions", r.endpoint());
            sprayIps.add(r.srcIp());
            count[0]++;
          }
        });
    assertEquals(30 * 500, count[0]);
    assertTrue(sprayIps.size() > 13_000, "distinct " + sprayIps.size());
  }

  @Test
  void truthWindowsFollowTheBenchmarkTiming() {
    List<Anomaly> mixed =
        new CaptureGenerator(Options.defaults().withScenario(Scenario.MIXED).withRate(1)).truth();
    assertEquals(
        List.of(
            new Anomaly("error-burst", "/v1/chat/completions", T0 + 100_000, T0 + 175_000),
            new Anomaly("latency-spike", "/v1/generate", T0 + 200_000, T0 + 275_000),
            new Anomaly("ip-flood", "203.0.113.66", T0 + 300_000, T0 + 375_000),
            new Anomaly("qps-surge", "/v1/embeddings", T0 + 400_000, T0 + 475_000)),
        mixed);
    assertEquals(
        List.of(new Anomaly("ip-spray", "/v1/chat/completions", T0 + 200_000, T0 + 320_000)),
        new CaptureGenerator(Options.defaults().withScenario(Scenario.IP_SPRAY)).truth());
    assertEquals(List.of(), new CaptureGenerator(Options.defaults()).truth());
  }

  @Test
  void diurnalSwingLowersTrafficAtMidnightAndRaisesItAtNoon() {
    Options o = Options.defaults().withSeconds(1).withRate(1000).withDiurnal(0.5);
    assertEquals(500, run(o).size());
    assertEquals(1500, run(o.withStartMs(T0 + 12 * 3_600_000L)).size());
  }

  @Test
  void optionsRejectImpossibleRuns() {
    Options d = Options.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withSeconds(-1));
    assertThrows(IllegalArgumentException.class, () -> d.withRate(-1));
    assertThrows(IllegalArgumentException.class, () -> d.withIps(0));
    assertThrows(IllegalArgumentException.class, () -> d.withDiurnal(0.95));
    assertThrows(IllegalArgumentException.class, () -> d.withStartMs(0));
    assertThrows(IllegalArgumentException.class, () -> d.withStartMs(4_102_444_500_000L));
    assertThrows(IllegalArgumentException.class, () -> d.withScenario(null));
    assertFalse(new CaptureGenerator(d.withSeconds(0)).records().hasNext());
  }

  @Test
  void scenarioNamesAreTheCommandLineNames() {
    for (String name :
        List.of(
            "steady",
            "error-burst",
            "latency-spike",
            "ip-flood",
            "qps-surge",
            "ip-spray",
            "mixed")) {
      assertEquals(name, Scenario.fromName(name).cliName());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Scenario.fromName("burst"));
    assertTrue(e.getMessage().contains("error-burst"), e.getMessage());
  }

  static double median(List<CaptureRecord> rs, Predicate<CaptureRecord> which) {
    double[] v = rs.stream().filter(which).mapToDouble(CaptureRecord::latencyMs).sorted().toArray();
    assertTrue(v.length > 100, "enough samples: " + v.length);
    return v[v.length / 2];
  }
}
