package io.autoglm.monitor.tools.bench;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.agent.ship.NdjsonBatchReader;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.DecodeReport;
import io.autoglm.monitor.sharding.stats.DeltaAggregator;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench decode FILE}: the node's per-record CPU work on one core, without sockets or
 * Cassandra. Loads the first lines of the file as 5,000-line batches, then decodes and validates
 * them ({@code decode}) and decodes them into per-batch deltas as the stream does ({@code
 * decode+aggregate}), round after round, and prints lines/s per round. The first rounds warm the
 * JIT up; the figure is the median of the later half.
 */
@Command(
    name = "decode",
    description = {
      "Measures decoding and pre-aggregation alone, on one core.",
      "Loads the first lines of FILE as 5,000-line batches, then decodes them round after round"
          + " and prints lines/s per round and the median of the later half."
    })
public final class DecodeBench implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "capture records, NDJSON (.gz: gzip-compressed)")
  Path file;

  @Option(
      names = "--lines",
      paramLabel = "N",
      description = "lines of FILE to load (default: ${DEFAULT-VALUE})")
  int maxLines = 500_000;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description = "rounds over them, at least 2 (default: ${DEFAULT-VALUE})")
  int rounds = 10;

  private final PrintStream out;

  public DecodeBench(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    OptionChecks.between(spec, "--lines", maxLines, 1, Integer.MAX_VALUE);
    OptionChecks.between(spec, "--rounds", rounds, 2, 1_000_000);
    IngestBench.readable(spec, file);
    List<byte[]> batches = new ArrayList<>();
    long lines = 0;
    try (InputStream in = IngestBench.open(file);
        NdjsonBatchReader reader = new NdjsonBatchReader(in, 5000)) {
      for (byte[] b = reader.next(); b != null && lines < maxLines; b = reader.next()) {
        batches.add(b);
        lines += reader.lines();
      }
    }
    StatsSettings stats = StatsSettings.fromConfig(ConfigFactory.load());
    out.printf(
        "bench decode: %,d lines in %,d batches from %s, one thread%n",
        lines, batches.size(), file);
    double[] decode = new double[rounds];
    double[] aggregate = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      long decoded = 0;
      for (byte[] b : batches) {
        DecodeReport r = CaptureCodec.decodeLenient(b, record -> {});
        decoded += r.accepted();
      }
      long t1 = System.nanoTime();
      long aggregated = 0;
      for (int i = 0; i < batches.size(); i++) {
        DeltaAggregator aggregator =
            new DeltaAggregator(stats, "default", System.currentTimeMillis());
        aggregator.beginBatch("bench", 1, i);
        aggregated += CaptureCodec.decodeLenient(batches.get(i), aggregator::add).accepted();
        aggregator.drain();
      }
      long t2 = System.nanoTime();
      if (decoded != lines || aggregated != lines) {
        out.printf(
            "bench decode: only %,d and %,d of %,d lines decoded; is the file valid?%n",
            decoded, aggregated, lines);
        return 1;
      }
      decode[round] = lines / ((t1 - t0) / 1e9);
      aggregate[round] = lines / ((t2 - t1) / 1e9);
      out.printf(
          "round %2d   decode %,10.0f lines/s   decode+aggregate %,10.0f lines/s%n",
          round + 1, decode[round], aggregate[round]);
    }
    out.printf(
        "%nmedian of rounds %d..%d: decode %,.0f lines/s, decode+aggregate %,.0f lines/s%n",
        rounds / 2 + 1, rounds, laterMedian(decode), laterMedian(aggregate));
    return 0;
  }

  private static double laterMedian(double[] perRound) {
    double[] later = Arrays.copyOfRange(perRound, perRound.length / 2, perRound.length);
    Arrays.sort(later);
    return later[later.length / 2];
  }
}
