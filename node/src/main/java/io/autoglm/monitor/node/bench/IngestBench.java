package io.autoglm.monitor.node.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.agent.ship.NdjsonBatchReader;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@code autoglm bench ingest FILE}: the whole ingest path on this machine, measured end to
 * end. An agent-side reader sends the NDJSON file as batch frames over the agent WebSocket to
 * a node (in this JVM) with embedded Cassandra and a fresh keyspace; the run ends when the last
 * batch is acked, i.e. persisted. Prints records/s (first send to last ack), ack latency
 * p50/p99, journal writes, and the heap high-water mark.
 *
 * <p>A long-running node has its hot code compiled; by default a warm-up pass of the file's
 * first million records goes through the same path first, as another service (so other
 * entities), and is reported on its own. {@code --warmup 0} measures a cold JVM.
 */
public final class IngestBench {
  private final Path file;
  private final int batchLines;
  private final int unacked;
  private final long warmupRecords;
  private final StreamShipper.Encoding encoding;
  private final PrintStream out;

  public IngestBench(Path file, int batchLines, int unacked, long warmupRecords, StreamShipper.Encoding encoding,
      PrintStream out) {
    this.file = file;
    this.batchLines = batchLines;
    this.unacked = unacked;
    this.warmupRecords = warmupRecords;
    this.encoding = encoding;
    this.out = out;
  }

  public static int main(List<String> args, PrintStream out) throws Exception {
    if (!args.isEmpty() && args.get(0).equals("decode")) {
      return DecodeBench.main(args, out);
    }
    if (args.isEmpty() || !args.get(0).equals("ingest") || args.size() < 2) {
      out.println("usage: autoglm bench ingest FILE [--batch LINES (5000)] [--unacked BATCHES (128)]"
          + " [--warmup RECORDS (1000000, 0: none)] [--encoding binary|binary-gzip|text]");
      out.println("       autoglm bench decode FILE [--lines N (500000)] [--rounds N (10)]");
      return 2;
    }
    Path file = Path.of(args.get(1));
    if (!Files.isReadable(file)) {
      out.println("autoglm bench: cannot read " + file);
      return 2;
    }
    int batch = intOption(args, "--batch", 5000);
    int unacked = intOption(args, "--unacked", 128);
    int warmup = intOption(args, "--warmup", 1_000_000);
    int e = args.indexOf("--encoding");
    StreamShipper.Encoding encoding = e < 0 || e + 1 >= args.size() ? StreamShipper.Encoding.BINARY
        : StreamShipper.Encoding.valueOf(args.get(e + 1).toUpperCase().replace('-', '_'));
    return new IngestBench(file, batch, unacked, warmup, encoding, out).run() ? 0 : 1;
  }

  static int intOption(List<String> args, String name, int fallback) {
    int i = args.indexOf(name);
    if (i < 0) {
      return fallback;
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return Integer.parseInt(args.get(i + 1));
  }

  public boolean run() throws Exception {
    String keyspace = "bench_" + System.currentTimeMillis() / 1000;
    Config config = ConfigFactory.parseMap(Map.of(
            "pekko.persistence.cassandra.journal.keyspace", keyspace + "_j",
            "pekko.persistence.cassandra.snapshot.keyspace", keyspace + "_s",
            "autoglm.http.port", 0,
            "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.load())
        .resolve();
    out.printf("bench: starting a node with embedded Cassandra (keyspace %s_j)%n", keyspace);
    try (Node node = Node.start(config)) {
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
      out.printf("records             %,d in %,d %s batches of %,d (agent unacked window %d)%n", measured.records,
          measured.batches, encoding.name().toLowerCase(), batchLines, unacked);
      out.printf("warm-up             %s%n", warmupRecords > 0
          ? String.format("%,d records before the measured pass (JIT)", warmupRecords) : "none (a cold JVM)");
      out.printf("end to end          %.2f s, first send to last ack%n", measured.seconds);
      out.printf("throughput          %,.0f records/s%n", measured.records / measured.seconds);
      out.printf("ack latency         p50 %.0f ms, p99 %.0f ms%n", percentile(measured.latencies, 0.50) / 1e6,
          percentile(measured.latencies, 0.99) / 1e6);
      long intervalMs = config.getDuration("autoglm.ingest.stream.flush-interval").toMillis();
      int[] perInterval = ingestWritesPerInterval(node, "default", intervalMs);
      out.printf("cassandra writes    %,d journal writes (%,.1f/s), %.5f per record%n", measured.writes,
          measured.writes / measured.seconds, (double) measured.writes / Math.max(1, measured.records));
      out.printf("flush ticks         %d in %.2f s (flush interval %d ms); %d ingest writes by %d endpoint entities ="
              + " %.2f per entity per tick; closest: %d write(s) of one entity within %d ms%n",
          measured.flushes, measured.seconds, intervalMs, perInterval[2], perInterval[0],
          perInterval[2] / (double) Math.max(1, (long) perInterval[0] * measured.flushes), perInterval[1], intervalMs);
      out.printf("records             accepted %,d, rejected %,d, late %,d, duplicates %,d%n",
          measured.totals.get("accepted"), measured.totals.get("rejected"), measured.totals.get("late"),
          measured.totals.get("duplicates"));
      out.printf("heap high-water     %,d MB (node and agent in one JVM, -Xmx %,d MB)%n",
          measured.heapHighWater >> 20, Runtime.getRuntime().maxMemory() >> 20);
      return true;
    }
  }

  /**
   * Reads back from the journal every ingest event of the endpoint entities of {@code service}
   * and returns {entities, the most such events one entity wrote within any {@code intervalMs},
   * all such events}.
   */
  private static int[] ingestWritesPerInterval(Node node, String service, long intervalMs) throws Exception {
    CassandraReadJournal journal = PersistenceQuery.get(node.system())
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    String prefix = EndpointStatsEntity.ENTITY_TYPE_KEY.name() + "|" + service;
    List<String> ids = journal.currentPersistenceIds().filter(pid -> pid.startsWith(prefix))
        .runWith(Sink.seq(), node.system()).toCompletableFuture().get(1, TimeUnit.MINUTES);
    int most = 0;
    int total = 0;
    for (String id : ids) {
      List<Long> at = journal.currentEventsByPersistenceId(id, 0, Long.MAX_VALUE)
          .filter(e -> e.event() instanceof EndpointStatsEvent.StatsIngested)
          .map(EventEnvelope::timestamp)
          .runWith(Sink.seq(), node.system()).toCompletableFuture().get(1, TimeUnit.MINUTES);
      long[] sorted = at.stream().mapToLong(Long::longValue).sorted().toArray();
      total += sorted.length;
      for (int i = 0, j = 0; i < sorted.length; i++) { // sliding window [sorted[j], sorted[i]]
        while (sorted[i] - sorted[j] >= intervalMs) {
          j++;
        }
        most = Math.max(most, i - j + 1);
      }
    }
    return new int[] {ids.size(), most, total};
  }

  /** What one pass over the file measured. */
  private record Pass(long records, long batches, double seconds, long[] latencies, long writes, long events,
      long flushes, Map<String, Long> totals, long heapHighWater) {}

  /**
   * Streams the file (up to {@code maxRecords}) as agent {@code agentId}, with records that
   * name no service counted under {@code service} (null: the node's default); null on failure.
   */
  private Pass pass(Node node, String agentId, String service, long maxRecords) throws Exception {
    HeapWatch heap = new HeapWatch();
    heap.start();
    Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    long[] latencies = new long[1 << 20];
    AtomicLong latencyCount = new AtomicLong();
    AtomicLong lastAcked = new AtomicLong();
    AtomicLong lastAckAt = new AtomicLong();
    StreamShipper agent = new StreamShipper(new StreamShipper.Options(
        List.of("127.0.0.1:" + node.httpPort()), agentId, System.currentTimeMillis(), service, unacked,
        Duration.ofMillis(500), msg -> out.println("agent: " + msg), seq -> {
          long now = System.nanoTime();
          for (long s = lastAcked.get() + 1; s <= seq; s++) {
            Long t = sentAt.remove(s);
            if (t != null) {
              int i = (int) latencyCount.getAndIncrement();
              if (i < latencies.length) {
                latencies[i] = now - t;
              }
            }
          }
          lastAcked.accumulateAndGet(seq, Math::max);
          lastAckAt.set(now);
        }, encoding));
    long writesBefore = node.counters().journalWrites.sum();
    long eventsBefore = node.counters().eventsPersisted.sum();
    long flushesBefore = node.ingestCounters().flushes();
    long records = 0;
    long batches = 0;
    long started = System.nanoTime();
    long lastReport = started;
    try (NdjsonBatchReader reader = new NdjsonBatchReader(open(file), batchLines)) {
      for (byte[] frame = reader.next(); frame != null && records < maxRecords; frame = reader.next()) {
        sentAt.put(batches + 1, System.nanoTime());
        agent.sendNdjson(frame);
        batches++;
        records += reader.lines();
        long now = System.nanoTime();
        if (now - lastReport > 2_000_000_000L) {
          lastReport = now;
          out.printf("bench: %,d records sent, %,d batches acked, %,.0f records/s so far%n", records,
              lastAcked.get(), records / ((now - started) / 1e9));
        }
      }
    }
    if (!agent.awaitAcked(Duration.ofMinutes(10))) {
      out.println("bench: FAILED: not every batch was acked within 10 minutes");
      return null;
    }
    double seconds = (lastAckAt.get() - started) / 1e9;
    heap.stopWatching();
    agent.close();
    int n = (int) Math.min(latencyCount.get(), latencies.length);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    return new Pass(records, batches, seconds, sorted, node.counters().journalWrites.sum() - writesBefore,
        node.counters().eventsPersisted.sum() - eventsBefore, node.ingestCounters().flushes() - flushesBefore,
        agent.totals(), heap.maxUsed());
  }

  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
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
      List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP).toList();
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
