package io.autoglm.monitor.tools.backtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.agent.ship.NdjsonBatchReader;
import io.autoglm.monitor.node.ingest.EntityWriter;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.DecodeReport;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.EntityRefs;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.RestartBackoff;
import io.autoglm.monitor.sharding.catalog.CatalogEntity;
import io.autoglm.monitor.sharding.catalog.EndpointAdmission;
import io.autoglm.monitor.sharding.catalog.EndpointLimits;
import io.autoglm.monitor.sharding.ips.IpAdmission;
import io.autoglm.monitor.sharding.ips.SourceIpGroupEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.RollupSink;
import io.autoglm.monitor.sharding.stats.StatsCounters;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Replays a capture file through the live path without a cluster or Cassandra: the node's ingest
 * writer ({@link EntityWriter}), endpoint catalogs, endpoint and source-IP entities and their
 * rules, run as plain actors of one JVM with an in-memory journal, and collects the alerts they
 * publish.
 *
 * <p>Time is the data's: the entities' wall clock reads the newest record of the batches written so
 * far, so old captures replay as if live, and endpoints and IPs that go quiet move on with it as
 * they do with a live node's clock; and the file is cut into batches of {@value #BATCH_RECORDS}
 * records as an agent cuts its stream, with a few batches in flight. Each entity gets its batches
 * in file order and evaluates its rules at every pane boundary, so a run gives the same alerts each
 * time.
 */
public final class Backtest {
  /** Records per batch, as an agent's batches. */
  public static final int BATCH_RECORDS = 5000;

  /**
   * Batches written but not yet confirmed, at most: the next ones are cut and aggregated while the
   * entities take these. The writer sends one source's batches in order, so each entity gets them
   * in file order however many are in flight (before it did, a batch waiting for the catalogs could
   * be overtaken and per-IP alerts moved from run to run).
   */
  static final int IN_FLIGHT = 4;

  /**
   * Threads that decode batches ahead of the one that aggregates and writes them (decoding is most
   * of a batch's work on the reading side).
   */
  static final int DECODERS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() - 1));

  /**
   * How often entities move quiet endpoints and IPs on to the replay's time, which is that of the
   * newest batch written: as a live node's wall clock moves them.
   */
  static final Duration TICK = Duration.ofMillis(200);

  private static final String END = "\u0000backtest-end";

  /** What a run found: the alerts in the order they fired and resolved, and what it read. */
  public record Result(
      List<Alert> alerts, long records, long rejected, long firstTs, long lastTs, double seconds) {
    public double recordsPerSecond() {
      return seconds > 0 ? records / seconds : 0;
    }
  }

  /** Told the progress of a run: records read so far, of the file's bytes read so far. */
  @FunctionalInterface
  public interface Progress {
    void at(long records, long bytesRead, long bytesTotal);

    Progress NONE = (records, bytes, total) -> {};
  }

  private Backtest() {}

  /** Replays {@code capture} through {@code rules}. */
  public static Result run(Path capture, Collection<ThresholdRule> rules, Progress progress)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    // the entities log each alert; a backtest prints them itself, and its stdout may be JSON
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Level level = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.ERROR);
    Path snapshots = Files.createTempDirectory("autoglm-backtest-");
    ReplayClock clock = new ReplayClock();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "backtest", config(snapshots));
    try {
      Config config = system.settings().config();
      StatsSettings stats = StatsSettings.fromConfig(config);
      RuleCache cache = new RuleCache();
      Map<String, ThresholdRule> byId = new TreeMap<>();
      rules.forEach(r -> byId.put(r.id(), r));
      cache.offer(new RuleSet(1, byId, Map.of()));

      List<Alert> alerts = new ArrayList<>();
      CompletableFuture<Void> ended = new CompletableFuture<>();
      ActorRef<Topic.Command<Alert>> topic =
          system.systemActorOf(
              Topic.create(Alert.class, "backtest-alerts"), "alert-topic", Props.empty());
      ActorRef<Alert> collector =
          system.systemActorOf(collector(alerts, ended), "alert-collector", Props.empty());
      topic.tell(Topic.subscribe(collector));

      EndpointLimits limits = EndpointLimits.fromConfig(config);
      RestartBackoff backoff = RestartBackoff.fromConfig(config);
      IpAdmission.Settings ipSettings = IpAdmission.Settings.fromConfig(config);
      StatsCounters counters = new StatsCounters();
      EndpointStatsEntity.Dependencies endpointDeps =
          new EndpointStatsEntity.Dependencies(
              stats, cache, topic, clock, counters, RollupSink.NONE);
      SourceIpGroupEntity.Dependencies ipDeps =
          new SourceIpGroupEntity.Dependencies(
              stats,
              cache,
              topic,
              clock,
              RollupSink.NONE,
              Duration.ofMillis(ipSettings.idleMs()),
              Duration.ofMillis(ipSettings.historyIntervalMs()));
      Map<String, Function<String, Behavior<?>>> behaviors =
          Map.of(
              EndpointStatsEntity.ENTITY_TYPE_KEY.name(),
              id -> EndpointStatsEntity.create(id, endpointDeps),
              SourceIpGroupEntity.ENTITY_TYPE_KEY.name(),
              id -> SourceIpGroupEntity.create(id, null, ipDeps),
              CatalogEntity.ENTITY_TYPE_KEY.name(),
              id -> CatalogEntity.create(id, limits.limitOf(id), backoff));
      EntityRefs refs = EntityRefs.local(system, behaviors);
      Duration timeout = Duration.ofMinutes(1);
      EndpointAdmission admission = new EndpointAdmission(refs, limits, timeout);
      IpAdmission ips = new IpAdmission(ipSettings, cache, ip -> {});
      EntityWriter writer = new EntityWriter(refs, stats, admission, ips, timeout, clock);
      String defaultService = config.getString("autoglm.node.default-service");

      long total = Files.size(capture);
      Replay replay = new Replay(writer, clock, defaultService);
      CountingStream counted = new CountingStream(Files.newInputStream(capture));
      ExecutorService decoders = Executors.newFixedThreadPool(DECODERS, Backtest::decoderThread);
      try (NdjsonBatchReader batches = new NdjsonBatchReader(counted, BATCH_RECORDS)) {
        // batches are decoded ahead on the decoder threads, then aggregated and written here in
        // file order: aggregation admits endpoints and IPs, so its order decides what is tracked
        ArrayDeque<Future<Decoded>> decoding = new ArrayDeque<>();
        byte[] batch;
        while ((batch = batches.next()) != null) {
          byte[] lines = batch;
          decoding.add(decoders.submit(() -> Decoded.of(lines)));
          if (decoding.size() > DECODERS) {
            replay.write(decoding.remove().get());
            progress.at(replay.records, counted.count, total);
          }
        }
        while (!decoding.isEmpty()) {
          replay.write(decoding.remove().get());
        }
        replay.drain();
        progress.at(replay.records, counted.count, total);
        // quiet endpoints and IPs move on to the end of the file on their next ticks
        Thread.sleep(3 * TICK.toMillis());
      } finally {
        decoders.shutdownNow();
      }
      topic.tell(Topic.publish(endMarker()));
      ended.get(1, TimeUnit.MINUTES);
      List<Alert> out = new ArrayList<>(alerts);
      // alerts of one instant come from several entities in any order: sorted to read the same
      out.sort(
          Comparator.comparingLong(Backtest::at)
              .thenComparing(Alert::ruleId)
              .thenComparing(Alert::fingerprint)
              .thenComparing(a -> a.status().wireName()));
      return new Result(
          List.copyOf(out),
          replay.records,
          replay.rejected,
          replay.records == 0 ? 0 : replay.firstTs,
          replay.records == 0 ? 0 : replay.lastTs,
          (System.nanoTime() - started) / 1e9);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("the replay did not complete: " + e.getMessage(), e);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      deleteTree(snapshots);
      root.setLevel(level);
    }
  }

  /** When an alert changed: its start when it fired, its end when it resolved. */
  public static long at(Alert a) {
    return a.isFiring() ? a.windowEnd() : a.endsAt();
  }

  /**
   * The live configuration, with the journal in memory, snapshots in a scratch directory (and none
   * taken), no cluster, and every delta written at once (no write slots: the replay sets the pace).
   */
  static Config config(Path snapshots) {
    return ConfigFactory.parseMap(
            Map.of(
                "pekko.actor.provider", "local",
                "pekko.persistence.journal.plugin", "pekko.persistence.journal.inmem",
                "pekko.persistence.snapshot-store.plugin", "pekko.persistence.snapshot-store.local",
                "pekko.persistence.snapshot-store.local.dir", snapshots.toString(),
                "autoglm.stats.min-write-interval", "0s",
                // nothing recovers in a replay: snapshots would only cost time
                "autoglm.stats.snapshot-every", 1_000_000_000,
                // the clock trails the batches in flight: their records are not from the future
                "autoglm.stats.max-future", "3650d",
                "autoglm.stats.watermark-tick", TICK.toMillis() + "ms",
                "pekko.loglevel", "WARNING",
                "pekko.log-dead-letters", "off"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  private static Behavior<Alert> collector(List<Alert> alerts, CompletableFuture<Void> ended) {
    return Behaviors.receive(Alert.class)
        .onMessage(
            Alert.class,
            a -> {
              if (END.equals(a.ruleId())) {
                ended.complete(null);
              } else {
                alerts.add(a);
              }
              return Behaviors.same();
            })
        .build();
  }

  private static Alert endMarker() {
    return new Alert(END, null, END, "", "", "", "", 0, 0, null, 0, 0, 0, "", "", null);
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a scratch directory left behind in the temp dir
    }
  }

  private static Thread decoderThread(Runnable r) {
    Thread t = new Thread(r, "backtest-decoder");
    t.setDaemon(true);
    return t;
  }

  /** A batch's valid records, decoded, with the decoder's report and the batch's time span. */
  private record Decoded(
      List<CaptureRecord> records, DecodeReport report, long oldest, long newest) {
    static Decoded of(byte[] lines) {
      List<CaptureRecord> records = new ArrayList<>(BATCH_RECORDS);
      DecodeReport report = CaptureCodec.decodeLenient(lines, records::add);
      long oldest = Long.MAX_VALUE;
      long newest = Long.MIN_VALUE;
      for (CaptureRecord r : records) {
        oldest = Math.min(oldest, r.ts());
        newest = Math.max(newest, r.ts());
      }
      return new Decoded(records, report, oldest, newest);
    }
  }

  /**
   * The writing side of a run: aggregates each decoded batch as the node's ingest does, writes it
   * with at most {@value #IN_FLIGHT} unconfirmed, and moves the clock as they are confirmed.
   */
  private static final class Replay {
    private final EntityWriter writer;
    private final ReplayClock clock;
    private final String defaultService;
    private final ArrayDeque<Written> inFlight = new ArrayDeque<>();
    private long seq;
    long records;
    long rejected;
    long firstTs = Long.MAX_VALUE;
    long lastTs = Long.MIN_VALUE;

    Replay(EntityWriter writer, ReplayClock clock, String defaultService) {
      this.writer = writer;
      this.clock = clock;
      this.defaultService = defaultService;
    }

    void write(Decoded batch)
        throws InterruptedException,
            java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
      if (batch.records.isEmpty()) {
        rejected += batch.report.rejected();
        return;
      }
      if (clock.newest == Long.MIN_VALUE) {
        clock.saw(batch.records.get(0).ts()); // the first batch is judged against its first record
      }
      EntityWriter.Batch aggregated =
          writer.aggregate(
              "backtest",
              1,
              ++seq,
              defaultService,
              sink -> {
                batch.records.forEach(sink);
                return batch.report;
              });
      records += aggregated.report().accepted();
      rejected += aggregated.report().rejected();
      firstTs = Math.min(firstTs, batch.oldest);
      lastTs = Math.max(lastTs, batch.newest);
      // one write per batch, as an agent's batches are posted: a write moves event time and
      // evaluates the rules, so grouping batches would move when alerts resolve (measured: it
      // did, and raised one more IP alert in a spray)
      inFlight.add(
          new Written(batch.newest, writer.write(List.of(aggregated)).toCompletableFuture()));
      if (inFlight.size() >= IN_FLIGHT) {
        inFlight.remove().await(clock);
      }
    }

    /** Waits for every batch written to be confirmed. */
    void drain()
        throws InterruptedException,
            java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
      while (!inFlight.isEmpty()) {
        inFlight.remove().await(clock);
      }
    }
  }

  /** A batch sent to the entities, and its newest record. */
  private record Written(long newest, CompletableFuture<?> done) {
    /**
     * Waits until every entity has it, then moves the clock to its newest record: batches are
     * awaited in the order sent, so every record up to the clock has reached its entities.
     */
    void await(ReplayClock clock)
        throws InterruptedException,
            java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
      done.get(5, TimeUnit.MINUTES);
      clock.saw(newest);
    }
  }

  /**
   * The entities' wall clock in a replay: the newest record of the batches every entity has been
   * sent and has written, in file order.
   */
  static final class ReplayClock implements NodeClock {
    volatile long newest = Long.MIN_VALUE;

    synchronized void saw(long ts) {
      if (ts > newest) {
        newest = ts;
      }
    }

    @Override
    public long wallMillis() {
      return newest == Long.MIN_VALUE ? 0 : newest + 1;
    }

    @Override
    public long monotonicNanos() {
      return System.nanoTime();
    }
  }

  /** A stream that counts the bytes read through it, for progress. */
  private static final class CountingStream extends FilterInputStream {
    private long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      count += Math.max(0, n);
      return n;
    }
  }
}
