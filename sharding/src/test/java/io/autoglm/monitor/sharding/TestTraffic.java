package io.autoglm.monitor.sharding;

import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.TestRecords;
import io.autoglm.monitor.sharding.stats.DeltaAggregator;
import io.autoglm.monitor.sharding.stats.EndpointDelta;
import io.autoglm.monitor.sharding.stats.ErrorStatuses;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.time.Duration;
import java.util.List;

/** Deltas for the entity tests, aggregated from {@link TestRecords}' traffic. */
public final class TestTraffic {
  public static final StatsSettings SETTINGS =
      new StatsSettings(
          1_000, // pane
          10_000, // default rule window
          60_000, // panes kept
          900_000, // longest window
          30_000, // allowed lateness: shorter than by default, so late records are easy to make
          300_000, // max future
          Duration.ofMillis(200),
          100,
          Duration.ofSeconds(10),
          Duration.ZERO,
          new RestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0),
          Duration.ofMinutes(2),
          ErrorStatuses.DEFAULT);
  public static final long T0 = TestRecords.T0;

  /** The wall clock the test traffic is aggregated at: an hour after T0. */
  public static final long NOW = T0 + 3_600_000;

  private TestTraffic() {}

  /**
   * Batches {@code fromSeq..toSeq} of {@code agent} (epoch 1), each 100 records on one second of
   * {@code path}: batch n holds second n after T0.
   */
  public static EndpointDelta batches(String agent, String path, int fromSeq, int toSeq) {
    DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", NOW);
    for (int seq = fromSeq; seq <= toSeq; seq++) {
      agg.beginBatch(agent, 1, seq);
      for (int i = 0; i < 100; i++) {
        agg.add(CaptureRecord.of(T0 + seq * 1000L + i * 10, path, 200, 50, "10.0.0.1"));
      }
    }
    return agg.drain().get(0);
  }

  /**
   * {@code perSecond} requests a second on {@code path} over [fromSec, toSec) after T0, of which a
   * share {@code errorShare} answered 500; latency {@code latencyMs}.
   */
  public static EndpointDelta traffic(
      String path, int fromSec, int toSec, int perSecond, double errorShare, double latencyMs) {
    DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", NOW);
    TestRecords.traffic(path, fromSec, toSec, perSecond, errorShare, latencyMs).forEach(agg::add);
    List<EndpointDelta> deltas = agg.drain();
    if (deltas.size() != 1) {
      throw new IllegalStateException("expected one endpoint, got " + deltas.size());
    }
    return deltas.get(0);
  }
}
