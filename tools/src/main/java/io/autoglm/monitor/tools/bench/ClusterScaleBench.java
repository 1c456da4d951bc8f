package io.autoglm.monitor.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.agent.ship.NdjsonBatchReader;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.CaptureWriter;
import io.autoglm.monitor.tools.drill.LocalCluster;
import io.autoglm.monitor.tools.gen.CaptureGenerator;
import io.autoglm.monitor.tools.gen.Scenario;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench cluster}: ingest throughput of a cluster of 1, 2, 3 ... node processes on
 * this machine. For each node count a fresh {@link LocalCluster} (its own embedded Cassandra and
 * data directory, so no run inherits another's data); agents ({@link StreamShipper}, each with a
 * different node first in its list and the others to fail over to) stream a capture file as fast as
 * the acks allow: a warm-up pass as another service, then the measured pass. Prints per node count
 * the acknowledged records/s, per node, against the first count, the ack latency, the CPU time of
 * the nodes, Cassandra and the agents, and the shards and entities each node holds per entity type;
 * checks that the endpoints counted exactly the records sent.
 *
 * <p>The nodes share this machine's cores with Cassandra and the agents: more nodes here means more
 * processes on the same cores, so the figures show the cost of the cluster (remote entity writes,
 * more JVMs), not how it scales over machines.
 */
@Command(
    name = "cluster",
    description = {
      "Measures ingest throughput with 1, 2, 3 ... nodes on this machine.",
      "For each node count: a fresh local cluster (embedded Cassandra and node processes of"
          + " -Xmx768m), agents that each stream to a different node first (failover to the"
          + " others) a capture file as fast as acks allow, a warm-up pass then a measured pass."
          + " Prints records/s acknowledged, per node and against the first count, ack latency,"
          + " CPU time per record, the shards and entities per node per entity type, and checks"
          + " that the endpoints counted every record sent. On one machine the nodes share its"
          + " cores: more nodes there is overhead, not capacity."
    })
public final class ClusterScaleBench implements Callable<Integer> {
  static final int MAX_NODES = 5;
  private static final String SERVICE = "bench";
  private static final String WARMUP_SERVICE = "bench-warmup";
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(5);
  private static final List<String> TYPES =
      List.of("endpoints", "sourceIpGroups", "catalogs", "ruleBook", "alertGroups");

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      split = ",",
      description = "node counts to measure in turn, each 1 to 5, at most 5 (default: 1,2,3)")
  List<Integer> nodeCounts = new ArrayList<>(List.of(1, 2, 3));

  @Option(
      names = "--agents",
      paramLabel = "A",
      description = "agent connections, 1 to 16 (default: as many as nodes)")
  Integer agents;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      description =
          "capture records, NDJSON (.gz: gzip-compressed) (default: generate --records records of"
              + " the mixed scenario at 5000/s)")
  Path file;

  @Option(
      names = "--records",
      paramLabel = "R",
      description =
          "records of the measured pass (the file's first R), 10000 to 10000000 (default:"
              + " ${DEFAULT-VALUE})")
  long records = 1_000_000;

  @Option(
      names = "--warmup",
      paramLabel = "R",
      description =
          "warm-up records per node, sent first as another service, 0 to 5000000 (default:"
              + " ${DEFAULT-VALUE})")
  long warmupPerNode = 300_000;

  @Option(
      names = "--batch",
      paramLabel = "LINES",
      description = "lines per batch, 100 to 100000 (default: ${DEFAULT-VALUE})")
  int batchLines = 5000;

  @Option(
      names = "--unacked",
      paramLabel = "BATCHES",
      description =
          "batches in flight, shared by the agents, 1 to 1024 (default: ${DEFAULT-VALUE})")
  int unacked = 64;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "a setting for every node, as -DKEY=VALUE (repeatable)")
  Map<String, String> settings = new TreeMap<>();

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "where Cassandra's data, the node logs and a generated file go (default: a new temp"
              + " directory)")
  Path dir;

  private final PrintStream out;

  public ClusterScaleBench(PrintStream out) {
    this.out = out;
  }

  /** What one agent pass measured. */
  private record Pass(
      long records, double seconds, long[] latencies, Map<String, Long> totals, Cpu cpu) {
    double rate() {
      return records / seconds;
    }
  }

  /** CPU seconds of the node processes, the embedded Cassandra and this JVM (the agents). */
  private record Cpu(double nodes, double cassandra, double agents) {
    Cpu minus(Cpu before) {
      return new Cpu(nodes - before.nodes, cassandra - before.cassandra, agents - before.agents);
    }

    double total() {
      return nodes + cassandra + agents;
    }
  }

  /** What the endpoints of a service counted. */
  private record Counted(int endpoints, long accepted, long late, long future, boolean answered) {
    long all() {
      return accepted + late + future;
    }
  }

  /** Shards and entities of one entity type on one node. */
  private record Held(int shards, int entities) {}

  /** One node count's outcome. */
  private record Run(
      int nodes,
      int agents,
      Pass warmup,
      Pass measured,
      Counted counted,
      Map<String, Map<Integer, Held>> held,
      boolean ok) {}

  @Override
  public Integer call() throws Exception {
    if (nodeCounts.isEmpty() || nodeCounts.size() > MAX_NODES) {
      throw OptionChecks.usageError(
          spec, "option --nodes takes 1 to " + MAX_NODES + " counts, got " + nodeCounts.size());
    }
    for (int n : nodeCounts) {
      OptionChecks.between(spec, "--nodes", n, 1, MAX_NODES);
    }
    if (agents != null) {
      OptionChecks.between(spec, "--agents", agents, 1, 16);
    }
    OptionChecks.between(spec, "--records", records, 10_000, 10_000_000);
    OptionChecks.between(spec, "--warmup", warmupPerNode, 0, 5_000_000);
    OptionChecks.between(spec, "--batch", batchLines, 100, 100_000);
    OptionChecks.between(spec, "--unacked", unacked, 1, 1024);
    int mostAgents = agents != null ? agents : nodeCounts.stream().max(Integer::compare).orElse(1);
    if (mostAgents > unacked) {
      throw OptionChecks.usageError(
          spec,
          "option --unacked "
              + unacked
              + " is fewer than the "
              + mostAgents
              + " agents: each needs a batch in flight");
    }
    if (file != null && !Files.isReadable(file)) {
      throw OptionChecks.usageError(spec, "option --file: cannot read " + file);
    }
    Path workDir =
        dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("bench-cluster");
    Path capture = file;
    try {
      if (capture == null) {
        long warmupMost = warmupPerNode * nodeCounts.stream().max(Integer::compare).orElse(1);
        capture = generate(workDir.resolve("capture.ndjson"), Math.max(records, warmupMost));
      }
      List<Run> runs = new ArrayList<>();
      for (int n : nodeCounts) {
        runs.add(measure(workDir.resolve("nodes-" + n + "-" + runs.size()), capture, n));
      }
      report(runs);
      return runs.stream().allMatch(Run::ok) ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
    } finally {
      if (file == null && capture != null) {
        Files.deleteIfExists(capture);
      }
      out.println("bench: node logs and Cassandra's data are in " + workDir);
    }
  }

  /** Writes the first {@code count} records of the mixed scenario at 5,000/s to {@code target}. */
  private Path generate(Path target, long count) throws Exception {
    int rate = 5000;
    CaptureGenerator generator =
        new CaptureGenerator(
            CaptureGenerator.Options.defaults()
                .withRate(rate)
                .withSeconds((int) (count / rate + 1))
                .withScenario(Scenario.MIXED));
    try (CaptureWriter w =
        new CaptureWriter(new BufferedOutputStream(Files.newOutputStream(target), 1 << 16))) {
      Iterator<CaptureRecord> it = generator.records();
      while (it.hasNext() && w.written() < count) {
        w.write(it.next());
      }
      out.printf("bench: generated %,d records (mixed, %d/s) to %s%n", w.written(), rate, target);
    }
    return target;
  }

  /** One node count: a fresh cluster, the warm-up and measured passes, the checks. */
  private Run measure(Path runDir, Path capture, int n) throws Exception {
    int connections = agents != null ? agents : n;
    out.printf("%nbench: === %d node(s), %d agent(s) ===%n", n, connections);
    Map<String, String> props = new TreeMap<>();
    props.put("autoglm.rules.install-defaults", "false"); // as bench ingest: no rules
    // one file dealt over several connections reaches an endpoint out of event-time order by up
    // to the in-flight window; every node count gets the same setting, so that all are comparable
    props.put("autoglm.stats.allowed-lateness", "10m");
    props.putAll(settings);
    Files.createDirectories(runDir);
    try (LocalCluster cluster = LocalCluster.withCassandra(runDir, out, props, n)) {
      cluster.startNodes(n);
      cluster.awaitMembers(1, n, true);
      out.printf("bench: %d node(s) up%n", n);
      Pass warmup = null;
      long warmupRecords = warmupPerNode * n;
      if (warmupRecords > 0) {
        out.printf(
            "bench: warm-up pass, %,d records as service \"%s\"%n", warmupRecords, WARMUP_SERVICE);
        warmup = pass(cluster, capture, n, connections, WARMUP_SERVICE, warmupRecords, "warm-up");
        if (warmup == null) {
          return new Run(n, connections, null, null, null, Map.of(), false);
        }
        out.printf("bench: warm-up done, %,.0f records/s%n", warmup.rate());
      }
      out.println("bench: measured pass");
      Pass measured = pass(cluster, capture, n, connections, SERVICE, records, "measured");
      if (measured == null) {
        return new Run(n, connections, warmup, null, null, Map.of(), false);
      }
      out.printf(
          "bench: %d node(s): %,.0f records/s over %.2f s%n",
          n, measured.rate(), measured.seconds());
      boolean ok = true;
      for (int i = 1; i <= n; i++) {
        if (!cluster.isRunning(i)) {
          out.printf(
              "bench: FAILED: node %d exited with status %d; see %s%n",
              i, cluster.exitStatus(i), cluster.logOf(i));
          ok = false;
        }
      }
      Counted counted = counted(cluster, SERVICE);
      long expected = measured.records() - measured.totals().getOrDefault("rejected", 0L);
      ok &= counted.answered() && counted.all() == expected;
      if (warmup != null) {
        Counted w = counted(cluster, WARMUP_SERVICE);
        long we = warmup.records() - warmup.totals().getOrDefault("rejected", 0L);
        out.printf(
            "bench: warm-up counts: %,d counted of %,d sent%s%n",
            w.all(), we, w.answered() && w.all() == we ? "" : " MISMATCH");
        ok &= w.answered() && w.all() == we;
      }
      out.printf(
          "bench: counts: %,d counted over %d endpoints (accepted %,d, late %,d, future %,d) of"
              + " %,d sent%s; agents %s%n",
          counted.all(),
          counted.endpoints(),
          counted.accepted(),
          counted.late(),
          counted.future(),
          expected,
          ok ? ", exact" : " MISMATCH",
          measured.totals());
      return new Run(n, connections, warmup, measured, counted, held(cluster, n), ok);
    }
  }

  /**
   * Streams the file's first {@code maxRecords} records (whole batches) over {@code connections}
   * agents, batches dealt round-robin; agent {@code i} has node {@code i mod n + 1} first in its
   * list. Null when the batches were not all acked in time.
   */
  private Pass pass(
      LocalCluster cluster,
      Path capture,
      int n,
      int connections,
      String service,
      long maxRecords,
      String label)
      throws Exception {
    TimedAgent.Latencies latencies = new TimedAgent.Latencies();
    List<TimedAgent> list = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      List<String> nodes = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        nodes.add(cluster.hostPort((i + k) % n + 1));
      }
      String id = service + "-" + (i + 1);
      list.add(
          new TimedAgent(
              nodes,
              id,
              service,
              Math.max(1, unacked / connections),
              latencies,
              StreamShipper.Encoding.BINARY,
              msg -> out.println("bench: agent " + id + ": " + msg)));
    }
    Cpu before = cpu(cluster);
    long sent = 0;
    long batches = 0;
    long started = System.nanoTime();
    long lastReport = started;
    try (NdjsonBatchReader reader = new NdjsonBatchReader(IngestBench.open(capture), batchLines)) {
      for (byte[] frame = reader.next();
          frame != null && sent < maxRecords;
          frame = reader.next()) {
        list.get((int) (batches % connections)).send(frame);
        batches++;
        sent += reader.lines();
        long now = System.nanoTime();
        if (now - lastReport > 2_000_000_000L) {
          lastReport = now;
          out.printf(
              "bench: %d node(s) %s: %,d records sent, %,d batches acked, %,.0f records/s so far%n",
              n,
              label,
              sent,
              list.stream().mapToLong(a -> a.lastAcked.get()).sum(),
              sent / ((now - started) / 1e9));
        }
      }
    }
    try {
      for (TimedAgent a : list) {
        if (!a.shipper.awaitAcked(DRAIN_LIMIT)) {
          out.printf(
              "bench: FAILED: %s: batches unacked %d minutes after the last was sent%n",
              label, DRAIN_LIMIT.toMinutes());
          return null;
        }
      }
      double seconds = (latencies.lastAckAt() - started) / 1e9;
      Cpu used = cpu(cluster).minus(before);
      Map<String, Long> totals = new TreeMap<>();
      for (TimedAgent a : list) {
        a.shipper.totals().forEach((k, v) -> totals.merge(k, v, Long::sum));
      }
      return new Pass(sent, seconds, latencies.sorted(), totals, used);
    } finally {
      list.forEach(a -> a.shipper.close());
    }
  }

  /** CPU time so far of the node processes, the embedded Cassandra and this JVM; NaN if unknown. */
  private static Cpu cpu(LocalCluster cluster) {
    double nodes = 0;
    for (int i = 1; i <= cluster.size(); i++) {
      nodes += cpuSeconds(ProcessHandle.of(cluster.pid(i)));
    }
    double cassandra;
    try {
      cassandra = cpuSeconds(ProcessHandle.of(cluster.cassandraPid()));
    } catch (IllegalStateException reused) {
      cassandra = Double.NaN;
    }
    return new Cpu(nodes, cassandra, cpuSeconds(java.util.Optional.of(ProcessHandle.current())));
  }

  private static double cpuSeconds(java.util.Optional<ProcessHandle> p) {
    return p.flatMap(h -> h.info().totalCpuDuration())
        .map(d -> d.toNanos() / 1e9)
        .orElse(Double.NaN);
  }

  /** The first node still running (node 1 unless it exited), which the counts are asked of. */
  private static int observer(LocalCluster cluster) {
    for (int i = 1; i <= cluster.size(); i++) {
      if (cluster.isRunning(i)) {
        return i;
      }
    }
    return 1;
  }

  /**
   * The sum of what every endpoint of {@code service} counted, from {@code GET /api/v1/endpoints}
   * and each endpoint's statistics on a running node.
   */
  private Counted counted(LocalCluster cluster, String service) {
    int node = observer(cluster);
    LocalCluster.Answer list = cluster.get(node, "/api/v1/endpoints", Duration.ofSeconds(15));
    if (!list.ok()) {
      out.printf("bench: GET /api/v1/endpoints: %d %s%n", list.status(), list.body());
      return new Counted(0, 0, 0, 0, false);
    }
    int endpoints = 0;
    long accepted = 0;
    long late = 0;
    long future = 0;
    boolean answered = true;
    for (JsonNode e : list.json().path("endpoints")) {
      if (!service.equals(e.path("service").asText())) {
        continue;
      }
      LocalCluster.Answer s =
          cluster.get(node, e.path("stats").asText() + "?limit=1", Duration.ofSeconds(15));
      if (!s.ok()) {
        out.printf("bench: %s: %d %s%n", e.path("stats").asText(), s.status(), s.body());
        answered = false;
        continue;
      }
      endpoints++;
      accepted += s.json().path("accepted").asLong();
      late += s.json().path("late").asLong();
      future += s.json().path("future").asLong();
    }
    return new Counted(endpoints, accepted, late, future, answered);
  }

  /**
   * Shards and entities per entity type and node (by number), from {@code GET /api/v1/cluster} on a
   * running node; asked again for up to 30 s while a node's sharding does not answer.
   */
  private Map<String, Map<Integer, Held>> held(LocalCluster cluster, int n)
      throws InterruptedException {
    Map<String, Integer> numbers = new TreeMap<>();
    for (int i = 1; i <= n; i++) {
      numbers.put(cluster.address(i), i);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    LocalCluster.Answer a;
    do {
      a = cluster.get(observer(cluster), "/api/v1/cluster", Duration.ofSeconds(15));
      if (a.ok() && a.json().path("shardsComplete").asBoolean()) {
        break;
      }
      Thread.sleep(1_000);
    } while (System.nanoTime() < deadline);
    Map<String, Map<Integer, Held>> held = new TreeMap<>();
    if (!a.ok()) {
      out.printf("bench: GET /api/v1/cluster: %d %s%n", a.status(), a.body());
      return held;
    }
    if (!a.json().path("shardsComplete").asBoolean()) {
      out.println("bench: GET /api/v1/cluster: some node's sharding did not answer");
    }
    a.json()
        .path("shards")
        .fields()
        .forEachRemaining(
            type -> {
              Map<Integer, Held> byNode = new TreeMap<>();
              type.getValue()
                  .fields()
                  .forEachRemaining(
                      node ->
                          byNode.put(
                              numbers.getOrDefault(node.getKey(), 0),
                              new Held(
                                  node.getValue().path("shards").asInt(),
                                  node.getValue().path("entities").asInt())));
              held.put(type.getKey(), byNode);
            });
    return held;
  }

  private void report(List<Run> runs) {
    int cores = Runtime.getRuntime().availableProcessors();
    Run base =
        runs.stream()
            .filter(r -> r.measured() != null)
            .filter(r -> r.nodes() == 1)
            .findFirst()
            .orElse(runs.stream().filter(r -> r.measured() != null).findFirst().orElse(null));
    out.println();
    out.printf("file                %s%n", file != null ? file : "generated (mixed, 5,000/s)");
    out.printf(
        "passes              %,d records measured after %,d per node of warm-up (another"
            + " service), batches of %,d, %d in flight shared by the agents%n",
        base == null ? records : base.measured().records(), warmupPerNode, batchLines, unacked);
    out.printf(
        "machine             %d cores shared by the nodes (-Xmx768m each), one embedded Cassandra"
            + " per run and the agents (this JVM)%n",
        cores);
    out.println();
    out.printf(
        "%-6s %-7s %12s %12s %9s %16s %26s %9s %8s  %s%n",
        "nodes",
        "agents",
        "records/s",
        "per node",
        "vs " + (base == null ? "-" : base.nodes() + " node"),
        "ack p50 / p99",
        "CPU s nodes+Cass.+agents",
        "µs/record",
        "busy",
        "counted");
    for (Run r : runs) {
      if (r.measured() == null) {
        out.printf("%-6d %-7d  FAILED (see above)%n", r.nodes(), r.agents());
        continue;
      }
      Pass m = r.measured();
      Cpu c = m.cpu();
      out.printf(
          "%-6d %-7d %,12.0f %,12.0f %8.2f× %16s %26s %9.1f %7.0f%%  %s%n",
          r.nodes(),
          r.agents(),
          m.rate(),
          m.rate() / r.nodes(),
          base == null ? Double.NaN : m.rate() / base.measured().rate(),
          String.format(
              "%.2f / %.2f s", percentile(m.latencies(), 0.5), percentile(m.latencies(), 0.99)),
          String.format("%.1f + %.1f + %.1f", c.nodes(), c.cassandra(), c.agents()),
          c.total() / m.records() * 1e6,
          100 * c.total() / (m.seconds() * cores),
          r.counted() == null
              ? "?"
              : String.format(
                  "%,d of %,d %s",
                  r.counted().all(),
                  m.records() - m.totals().getOrDefault("rejected", 0L),
                  r.ok() ? "exact" : "MISMATCH"));
    }
    for (Run r : runs) {
      if (r.held().isEmpty()) {
        continue;
      }
      out.println();
      out.printf(
          "%d node(s): shards / entities per node after both passes (GET /api/v1/cluster)%n",
          r.nodes());
      StringBuilder header = new StringBuilder(String.format("  %-16s", "entity type"));
      for (int i = 1; i <= r.nodes(); i++) {
        header.append(String.format(" %12s", "node " + i));
      }
      out.println(header);
      for (String type : TYPES) {
        Map<Integer, Held> byNode = r.held().getOrDefault(type, Map.of());
        StringBuilder line = new StringBuilder(String.format("  %-16s", type));
        for (int i = 1; i <= r.nodes(); i++) {
          Held h = byNode.getOrDefault(i, new Held(0, 0));
          line.append(String.format(" %12s", h.shards() + " / " + h.entities()));
        }
        out.println(line);
      }
    }
    out.println();
    out.println(
        runs.stream().allMatch(Run::ok)
            ? "bench: every run's endpoints counted exactly the records sent"
            : "bench: FAILED: a run did not finish or its counts differ from the records sent");
  }

  /** The {@code q} quantile of sorted nanoseconds, in seconds. */
  private static double percentile(long[] sorted, double q) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e9;
  }
}
