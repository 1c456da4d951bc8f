package io.autoglm.monitor.tools.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.CaptureWriter;
import io.autoglm.monitor.sharding.rules.DefaultRules;
import io.autoglm.monitor.tools.gen.Anomaly;
import io.autoglm.monitor.tools.gen.CaptureGenerator;
import io.autoglm.monitor.tools.gen.Scenario;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The quality targets of the default {@code auto} rules, on the backtest path (the live ingest
 * writer and entities, in one JVM), for three generator seeds: every injected anomaly alerts on the
 * right endpoint or IP within 60 s of its start, and a steady day with its daily swing raises
 * nothing. 500 requests/s keeps each run to a few seconds; the anomalies scale with the rate.
 */
class DetectionQualityTest {
  private static final int RATE = 500;
  private static final long WITHIN_MS = 60_000;

  @TempDir Path dir;

  private Path write(CaptureGenerator generator) throws Exception {
    Path file = dir.resolve("capture.ndjson");
    try (CaptureWriter w =
        new CaptureWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), true)) {
      for (Iterator<CaptureRecord> it = generator.records(); it.hasNext(); ) {
        w.write(it.next());
      }
    }
    return file;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 42, 2026})
  void everyAnomalyOfTheMixedHourAlertsOnItsTargetWithinAMinute(long seed) throws Exception {
    CaptureGenerator generator =
        new CaptureGenerator(
            CaptureGenerator.Options.defaults()
                .withSeconds(3600)
                .withRate(RATE)
                .withScenario(Scenario.MIXED)
                .withSeed(seed));
    Backtest.Result result =
        Backtest.run(write(generator), DefaultRules.freshInstall(), Backtest.Progress.NONE);
    List<Alert> fired = result.alerts().stream().filter(Alert::isFiring).toList();
    assertEquals(4, generator.truth().size());
    for (Anomaly a : generator.truth()) {
      boolean onIp = a.kind().equals(Scenario.IP_FLOOD.cliName());
      List<Alert> hits =
          fired.stream()
              .filter(x -> onIp ? a.target().equals(x.sourceIp()) : a.target().equals(x.endpoint()))
              .filter(x -> x.windowEnd() >= a.startMs() && x.windowEnd() <= a.startMs() + WITHIN_MS)
              .toList();
      assertTrue(
          !hits.isEmpty(),
          a
              + " raised no alert on "
              + a.target()
              + " within 60 s; alerts: "
              + fired.stream().map(x -> x.windowEnd() + " " + x.summary()).toList());
      assertTrue(hits.get(0).explanation() != null && !hits.get(0).explanation().isBlank());
    }
    // the error burst hits every client of the endpoint: an outage the endpoint's alert reports,
    // not one alert per heavy client; only the flooding address is an IP's own anomaly
    String flooder =
        generator.truth().stream()
            .filter(a -> a.kind().equals(Scenario.IP_FLOOD.cliName()))
            .findFirst()
            .orElseThrow()
            .target();
    assertEquals(
        List.of(),
        fired.stream()
            .filter(x -> x.sourceIp() != null && !x.sourceIp().equals(flooder))
            .map(Alert::summary)
            .toList(),
        "alerts on source IPs other than the flooder");
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 42, 2026})
  void aSprayOverManyAddressesIsOneAlertNamingItsNetworks(long seed) throws Exception {
    // the generator sprays 198.18.0.0/15, one request per address or so, for two minutes
    CaptureGenerator generator =
        new CaptureGenerator(
            CaptureGenerator.Options.defaults()
                .withSeconds(1800)
                .withRate(RATE)
                .withScenario(Scenario.IP_SPRAY)
                .withSeed(seed));
    Backtest.Result result =
        Backtest.run(write(generator), DefaultRules.freshInstall(), Backtest.Progress.NONE);
    Anomaly spray = generator.truth().get(0);
    List<Alert> fired = result.alerts().stream().filter(Alert::isFiring).toList();
    List<Alert> onTarget =
        fired.stream()
            .filter(x -> spray.target().equals(x.endpoint()))
            .filter(
                x ->
                    x.windowEnd() >= spray.startMs()
                        && x.windowEnd() <= spray.startMs() + WITHIN_MS)
            .toList();
    assertEquals(1, onTarget.size(), "one alert on " + spray.target() + ": " + summaries(fired));
    String why = onTarget.get(0).explanation();
    assertTrue(
        why.contains("198.18.0.0/16") && why.contains("198.19.0.0/16"),
        "it names the sprayed networks: " + why);
    assertEquals(
        List.of(),
        fired.stream().filter(x -> x.sourceIp() != null).map(Alert::summary).toList(),
        "no alert per address");
  }

  private static List<String> summaries(List<Alert> alerts) {
    return alerts.stream().map(x -> x.windowEnd() + " " + x.summary()).toList();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 42, 2026})
  void twoSteadyHoursOnTheDailyRampRaiseNothing(long seed) throws Exception {
    // 05:00 to 07:00 UTC: the generator's daily curve (lowest at midnight) climbs steepest here
    CaptureGenerator generator =
        new CaptureGenerator(
            CaptureGenerator.Options.defaults()
                .withSeconds(7200)
                .withRate(RATE)
                .withScenario(Scenario.STEADY)
                .withStartMs(CaptureGenerator.Options.defaults().startMs() + 5 * 3_600_000L)
                .withDiurnal(0.5)
                .withSeed(seed));
    Backtest.Result result =
        Backtest.run(write(generator), DefaultRules.freshInstall(), Backtest.Progress.NONE);
    assertTrue(result.records() > 2 * 3600 * RATE * 0.5, "the whole file was replayed");
    assertEquals(
        List.of(),
        result.alerts().stream().map(Alert::summary).toList(),
        "normal traffic with its daily swing");
  }
}
