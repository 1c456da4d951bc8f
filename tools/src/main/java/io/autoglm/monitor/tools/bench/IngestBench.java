package io.autoglm.monitor.tools.bench;

import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.agent.ship.NdjsonBatchReader;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.DefaultRules;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.tools.backtest.RulesFile;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench ingest FILE}: the whole ingest path on this machine, measured end to end. An
 * agent-side reader sends the NDJSON file as batch frames over the agent WebSocket to a node (in
 * this JVM) with embedded Cassandra and a fresh keyspace; the run ends when the last batch is
 * acked, i.e. persisted. Prints records/s (first send to last ack), ack latency p50/p99, journal
 * writes, and the heap high-water mark.
 *
 * <p>A long-running node has its hot code compiled; by default a warm-up pass of the file's first
 * million records goes through the same path first, as another service (so other entities), and is
 * reported on its own. {@code --warmup 0} measures a cold JVM.
 */
public final class IngestBench {
  private final Path file;
  private final int batchLines;
  private final int unacked;
  private final long warmupRecords;
  private final List<ThresholdRule> rules;
  private final int agents;
  private final StreamShipper.Encoding encoding;
  private final PrintStream out;

  public IngestBench(
      Path file,
      int batchLines,
      int unacked,
      long warmupRecords,
      int agents,
      StreamShipper.Encoding encoding,
      List<ThresholdRule> rules,
      PrintStream out) {
    this.rules = rules;
    this.file = file;
    this.batchLines = batchLines;
    this.unacked = unacked;
    this.warmupRecords = warmupRecords;
    this.agents = agents;
    this.encoding = encoding;
    this.out = out;
  }

  /** {@code bench ingest}: the command line of this benchmark. */
  @Command(
      name = "ingest",
      description = {
        "Measures the ingest path end to end on a capture file.",
        "Starts a node with embedded Cassandra and a fresh keyspace in this JVM and streams FILE"
            + " to it as the agent does; prints records/s from first send to last ack, ack"
            + " latency p50/p99, journal writes and the heap high-water mark."
      })
  public static final class Cli implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin HelpOption help;

    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "capture records, NDJSON (.gz: gzip-compressed)")
    Path file;

    @Option(
        names = "--batch",
        paramLabel = "LINES",
        description = "lines per batch (default: ${DEFAULT-VALUE})")
    int batchLines = 5000;

    @Option(
        names = "--unacked",
        paramLabel = "BATCHES",
        description = "batches in flight, shared by the agents (default: ${DEFAULT-VALUE})")
    int unacked = 128;

    @Option(
        names = "--warmup",
        paramLabel = "RECORDS",
        description =
            "records of a warm-up pass before the measured one, 0: none (default: ${DEFAULT-VALUE})")
    long warmupRecords = 1_000_000;

    @Option(
        names = "--agents",
        paramLabel = "N",
        description = "agent connections the batches are dealt over (default: ${DEFAULT-VALUE})")
    int agents = 1;

    @Option(
        names = "--rules",
        paramLabel = "FILE|auto",
        description =
            "rules installed before the passes: a rules file (as backtest --rules), or auto for"
                + " the auto rule on every endpoint and source IP (default: none)")
    String rules;

    @Option(
        names = "--encoding",
        paramLabel = "binary|binary-gzip|text",
        description = "how batches travel (default: ${DEFAULT-VALUE})")
    String encoding = "binary";

    private final PrintStream out;

    public Cli(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() throws Exception {
      OptionChecks.between(spec, "--batch", batchLines, 1, 1_000_000);
      OptionChecks.between(spec, "--unacked", unacked, 1, 100_000);
      OptionChecks.between(spec, "--warmup", warmupRecords, 0, Long.MAX_VALUE);
      OptionChecks.between(spec, "--agents", agents, 1, unacked);
      StreamShipper.Encoding frames;
      try {
        frames =
            StreamShipper.Encoding.valueOf(encoding.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException unknown) {
        throw OptionChecks.usageError(
            spec, "option --encoding must be binary, binary-gzip or text, got '" + encoding + "'");
      }
      readable(spec, file);
      List<ThresholdRule> installed = List.of();
      if (rules != null) {
        try {
          installed =
              rules.equals("auto") ? DefaultRules.freshInstall() : RulesFile.read(Path.of(rules));
        } catch (RulesFile.InvalidRulesException | IOException e) {
          throw OptionChecks.usageError(spec, "option --rules: " + e.getMessage());
        }
      }
      return new IngestBench(
                  file, batchLines, unacked, warmupRecords, agents, frames, installed, out)
              .run()
          ? CommandLines.EXIT_OK
          : CommandLines.EXIT_FAILURE;
    }
  }

  /** A usage error naming FILE unless {@code file} can be read. */
  static void readable(CommandSpec spec, Path file) {
    if (!Files.isReadable(file)) {
      throw OptionChecks.usageError(spec, "FILE: cannot read " + file);
    }
  }

  public boolean run() throws Exception {
    // one time-ordered file dealt over several connections arrives out of event-time order by up
    // to the agents' in-flight windows (each batch is a second of traffic): let every record count
    // rather than measure the lateness rule
    Map<String, Object> overrides =
        agents > 1 ? Map.of("autoglm.stats.allowed-lateness", "10m") : Map.of();
    if (agents > 1) {
      out.println(
          "bench: allowed lateness 10 min: the file's batches reach the node out of order over "
              + agents
              + " connections");
    }
    try (Node node = BenchNode.start("bench", overrides, out)) {
      if (!rules.isEmpty()) {
        BenchNode.install(node, rules);
        out.printf(
            "bench: %d rule(s) installed: %s%n",
            rules.size(), rules.stream().map(ThresholdRule::id).toList());
      }
      if (warmupRecords > 0) {
        // the same path on other endpoints (another service name), so that the measured pass
        // meets a JIT-compiled node and agent but entities that start from nothing
        out.printf("bench: warm-up pass, %,d records as service \"bench-warmup\"%n", warmupRecords);
        Pass warmup = pass(node, "bench-warmup", "bench-warmup", warmupRecords);
        if (warmup == null) {
          return false;
        }
        out.printf("bench: warm-up done, %,.0f records/s%n", warmup.records / warmup.seconds);
      }
      out.println("bench: measured pass");
      Pass measured = pass(node, "bench", null, Long.MAX_VALUE);
      if (measured == null) {
        return false;
      }
      out.println();
      out.printf("file                %s%n", file);
      out.printf(
          "records             %,d in %,d %s batches of %,d (%d agent connection(s), unacked window %d"
              + " batches in all)%n",
          measured.records,
          measured.batches,
          encoding.name().toLowerCase(),
          batchLines,
          agents,
          unacked);
      out.printf(
          "warm-up             %s%n",
          warmupRecords > 0
              ? String.format("%,d records before the measured pass (JIT)", warmupRecords)
              : "none (a cold JVM)");
      out.printf("end to end          %.2f s, first send to last ack%n", measured.seconds);
      out.printf("throughput          %,.0f records/s%n", measured.records / measured.seconds);
      out.printf(
          "ack latency         p50 %.0f ms, p99 %.0f ms%n",
          percentile(measured.latencies, 0.50) / 1e6, percentile(measured.latencies, 0.99) / 1e6);
      long intervalMs =
          node.system()
              .settings()
              .config()
              .getDuration("autoglm.ingest.stream.flush-interval")
              .toMillis();
      EntityWrites ingestWrites = ingestWrites(node, "default", intervalMs);
      out.printf(
          "cassandra writes    %,d journal writes (%,.1f/s), %.5f per record%n",
          measured.writes,
          measured.writes / measured.seconds,
          (double) measured.writes / Math.max(1, measured.records));
      out.printf(
          "flush ticks         %d in %.2f s over %d connection(s) (flush interval %d ms)%n",
          measured.flushes, measured.seconds, agents, intervalMs);
      out.printf(
          "entity writes       %d ingest writes by %d endpoint entities: %.2f per entity per second;"
              + " closest: %d write(s) of one entity within %d ms%n",
          ingestWrites.total(),
          ingestWrites.entities(),
          ingestWrites.total() / (double) Math.max(1, ingestWrites.entities()) / measured.seconds,
          ingestWrites.closest(),
          intervalMs);
      out.printf(
          "records             accepted %,d, rejected %,d, late %,d, duplicates %,d, future %,d%n",
          measured.totals.get("accepted"),
          measured.totals.get("rejected"),
          measured.totals.get("late"),
          measured.totals.get("duplicates"),
          measured.totals.get("future"));
      out.printf(
          "heap high-water     %,d MB (node and agent in one JVM, -Xmx %,d MB)%n",
          measured.heapHighWater >> 20, Runtime.getRuntime().maxMemory() >> 20);
      out.printf("jvm                 %s%n", heapSetup());
      out.printf(
          "source IPs          %s tracked (heavy hitters admitted during both passes)%n",
          trackedIps(node));
      return true;
    }
  }

  /** How many source IPs the node tracks, as {@code GET /api/v1/ips} lists them. */
  private static String trackedIps(Node node) {
    try {
      return String.format("%,d", BenchNode.get(node, "/api/v1/ips").get("ips").size());
    } catch (IOException | RuntimeException e) {
      return "? (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /**
   * How the heap was set up: a heap that grows under load costs the kernel fresh pages and runs
   * slower and less evenly than a fixed one touched at start (what {@code ./autoglm} gives a node).
   */
  static String heapSetup() {
    long initial = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();
    long max = Runtime.getRuntime().maxMemory();
    String preTouch =
        ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
            .getVMOption("AlwaysPreTouch")
            .getValue();
    return String.format(
        "heap %,d MB initial, %,d MB max%s%s",
        initial >> 20,
        max >> 20,
        "true".equals(preTouch) ? ", pre-touched" : "",
        initial < max
            ? " (a growing heap: ./autoglm runs the bench with a fixed, pre-touched one)"
            : "");
  }

  /**
   * The ingest events of a service's endpoint entities, read back from the journal.
   *
   * @param closest the most such events one entity wrote within any {@code intervalMs}
   */
  private record EntityWrites(int entities, int total, int closest) {}

  private static EntityWrites ingestWrites(Node node, String service, long intervalMs)
      throws Exception {
    CassandraReadJournal journal =
        PersistenceQuery.get(node.system())
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    String prefix = EndpointStatsEntity.ENTITY_TYPE_KEY.name() + "|" + service;
    List<String> ids =
        journal
            .currentPersistenceIds()
            .filter(pid -> pid.startsWith(prefix))
            .runWith(Sink.seq(), node.system())
            .toCompletableFuture()
            .get(1, TimeUnit.MINUTES);
    int most = 0;
    int total = 0;
    for (String id : ids) {
      List<Long> at =
          journal
              .currentEventsByPersistenceId(id, 0, Long.MAX_VALUE)
              .filter(e -> e.event() instanceof EndpointStatsEvent.StatsIngested)
              .map(EventEnvelope::timestamp)
              .runWith(Sink.seq(), node.system())
              .toCompletableFuture()
              .get(1, TimeUnit.MINUTES);
      long[] sorted = at.stream().mapToLong(Long::longValue).sorted().toArray();
      total += sorted.length;
      for (int i = 0, j = 0; i < sorted.length; i++) { // sliding window [sorted[j], sorted[i]]
        while (sorted[i] - sorted[j] >= intervalMs) {
          j++;
        }
        most = Math.max(most, i - j + 1);
      }
    }
    return new EntityWrites(ids.size(), total, most);
  }

  /** What one pass over the file measured. */
  private record Pass(
      long records,
      long batches,
      double seconds,
      long[] latencies,
      long writes,
      long events,
      long flushes,
      Map<String, Long> totals,
      long heapHighWater) {}

  /**
   * Streams the file (up to {@code maxRecords}) over {@code agents} connections, batches dealt
   * round-robin, as agents {@code agentId-1..N} (or {@code agentId} alone), with records that name
   * no service counted under {@code service} (null: the node's default); null on failure. The
   * unacked window is shared out among the agents.
   */
  private Pass pass(Node node, String agentId, String service, long maxRecords) throws Exception {
    HeapWatch heap = new HeapWatch();
    heap.start();
    TimedAgent.Latencies latencies = new TimedAgent.Latencies();
    List<TimedAgent> connections = new java.util.ArrayList<>();
    for (int i = 1; i <= agents; i++) {
      String id = agents == 1 ? agentId : agentId + "-" + i;
      connections.add(
          new TimedAgent(
              List.of("127.0.0.1:" + node.httpPort()),
              id,
              service,
              Math.max(1, unacked / agents),
              latencies,
              encoding,
              msg -> out.println("agent " + id + ": " + msg)));
    }
    long writesBefore = node.counters().journalWrites.sum();
    long eventsBefore = node.counters().eventsPersisted.sum();
    long flushesBefore = node.ingestCounters().flushes();
    long records = 0;
    long batches = 0;
    long started = System.nanoTime();
    long lastReport = started;
    try (NdjsonBatchReader reader = new NdjsonBatchReader(open(file), batchLines)) {
      for (byte[] frame = reader.next();
          frame != null && records < maxRecords;
          frame = reader.next()) {
        connections.get((int) (batches % agents)).send(frame);
        batches++;
        records += reader.lines();
        long now = System.nanoTime();
        if (now - lastReport > 2_000_000_000L) {
          lastReport = now;
          out.printf(
              "bench: %,d records sent, %,d batches acked, %,.0f records/s so far%n",
              records,
              connections.stream().mapToLong(c -> c.lastAcked.get()).sum(),
              records / ((now - started) / 1e9));
        }
      }
    }
    for (TimedAgent c : connections) {
      if (!c.shipper.awaitAcked(Duration.ofMinutes(10))) {
        out.println("bench: FAILED: not every batch was acked within 10 minutes");
        return null;
      }
    }
    double seconds = (latencies.lastAckAt() - started) / 1e9;
    heap.stopWatching();
    Map<String, Long> totals = new java.util.TreeMap<>();
    for (TimedAgent c : connections) {
      c.shipper.close();
      c.shipper.totals().forEach((k, v) -> totals.merge(k, v, Long::sum));
    }
    return new Pass(
        records,
        batches,
        seconds,
        latencies.sorted(),
        node.counters().journalWrites.sum() - writesBefore,
        node.counters().eventsPersisted.sum() - eventsBefore,
        node.ingestCounters().flushes() - flushesBefore,
        totals,
        heap.maxUsed());
  }

  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
  }

  static InputStream open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20);
    return file.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
  }

  /** Samples heap use every 20 ms; the high-water mark of used heap after any collection. */
  private static final class HeapWatch extends Thread {
    private volatile boolean running = true;
    private long maxUsed;

    HeapWatch() {
      super("bench-heap-watch");
      setDaemon(true);
    }

    @Override
    public void run() {
      List<MemoryPoolMXBean> pools =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == MemoryType.HEAP)
              .toList();
      while (running) {
        long used = pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        synchronized (this) {
          maxUsed = Math.max(maxUsed, used);
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stopWatching() {
      running = false;
    }

    synchronized long maxUsed() {
      return maxUsed;
    }
  }
}
