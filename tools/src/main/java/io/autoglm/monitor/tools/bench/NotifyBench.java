package io.autoglm.monitor.tools.bench;

import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.notifier.channel.AlertmanagerPayload;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench notify}: how long an alert change takes from its entity to the webhook
 * receiver at a sustained rate, through the notifier's whole path: the alert topic, the routing,
 * the outbox write in Cassandra, the dispatcher and its worker, the HTTP request.
 *
 * <p>How: a node with embedded Cassandra (fresh keyspace) and a local webhook receiver in this JVM;
 * {@code --endpoints} endpoints, each with live traffic (every 100 ms, 10 requests a second each,
 * dated with the wall clock) that is all errors one second and healthy the next, and one rule
 * ({@code error_rate > 0.5} over 1 s, {@code for 0s}, flapping detection off), so every endpoint's
 * alert fires and resolves once a second in turn: about {@code --endpoints} alert changes a second.
 * The bench subscribes to the alert topic itself, so it sees each change when the entity publishes
 * it, right after persisting it; the receiver notes when the webhook request carrying the change's
 * {@code X-AutoGLM-Delivery-Id} arrives. Both on this JVM's monotonic clock.
 *
 * <p>What: for the changes published after the warm-up, p50/p90/p99/max from publish to webhook,
 * the rate, and how many never arrived; checks p99 against the 250 ms target.
 */
@Command(
    name = "notify",
    description = {
      "Measures alert delivery: from the entity publishing an alert change (right after it is"
          + " persisted) to the webhook receiver having it, at a sustained rate, outbox write"
          + " included.",
      "Starts a node with embedded Cassandra and a local webhook receiver in this JVM; --endpoints"
          + " endpoints get live traffic that fails every other second, under one rule, so each"
          + " endpoint's alert fires and resolves once a second. Prints p50/p90/p99/max, the rate"
          + " and the changes that never arrived; exit status 0 when every change arrived, target"
          + " (p99 < 250 ms) met or MISSED; 1 when changes were lost or the node failed."
    })
public final class NotifyBench implements Callable<Integer> {
  private static final String PREFIX = "/bench/notify/";
  private static final int PER_SECOND = 10;
  private static final long P99_TARGET_MS = 250;

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--endpoints",
      paramLabel = "N",
      description =
          "endpoints, each changing state once a second: the alert changes a second, 1 to 1000"
              + " (default: ${DEFAULT-VALUE})")
  int endpoints = 100;

  @Option(
      names = "--seconds",
      paramLabel = "N",
      description = "how long to measure, 10 to 3600 (default: ${DEFAULT-VALUE})")
  int seconds = 300;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      description = "seconds before the measured ones, 0 to 600 (default: ${DEFAULT-VALUE})")
  int warmup = 90;

  private final PrintStream out;

  public NotifyBench(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    OptionChecks.between(spec, "--endpoints", endpoints, 1, 1000);
    OptionChecks.between(spec, "--seconds", seconds, 10, 3600);
    OptionChecks.between(spec, "--warmup", warmup, 0, 600);
    return run() ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
  }

  private boolean run() throws Exception {
    Map<String, Long> published = new ConcurrentHashMap<>();
    Map<String, Long> received = new ConcurrentHashMap<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // a receiver that takes requests side by side, as a web service does (its threads share the
    // two cores with the node and Cassandra)
    ExecutorService receiverThreads = Executors.newFixedThreadPool(32);
    receiver.setExecutor(receiverThreads);
    receiver.createContext(
        "/hook",
        ex -> {
          long at = System.nanoTime();
          ex.getRequestBody().readAllBytes();
          String key = ex.getRequestHeaders().getFirst("X-AutoGLM-Delivery-Id");
          if (key != null) {
            received.putIfAbsent(key, at);
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    receiver.start();
    HttpClient http = HttpClient.newHttpClient();
    ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
    try (Node node =
        BenchNode.start(
            "bench_notify",
            Map.of(
                "autoglm.notifier.webhook.url",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "autoglm.notifier.allowed-networks",
                java.util.List.of("127.0.0.1/32")),
            out)) {
      ActorRef<Topic.Command<Alert>> topic =
          node.system()
              .systemActorOf(
                  Topic.create(Alert.class, EndpointStatsEntity.ALERT_TOPIC),
                  "bench-alert-topic",
                  Props.empty());
      ActorRef<Alert> watcher =
          node.system()
              .systemActorOf(
                  Behaviors.receiveMessage(
                      (Alert a) -> {
                        if (!a.silent()) {
                          published.putIfAbsent(
                              AlertmanagerPayload.idempotencyKey(a), System.nanoTime());
                        }
                        return Behaviors.same();
                      }),
                  "bench-alert-watcher",
                  Props.empty());
      topic.tell(Topic.subscribe(watcher));
      String rule =
          """
          {"metric": "error_rate", "op": ">", "threshold": 0.5, "window": "1s", "for": "0s",
           "severity": "warning", "endpoint": "%s*", "flapping": false,
           "description": "bench notify"}"""
              .formatted(PREFIX);
      HttpResponse<String> put =
          http.send(
              HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/rules/bench-notify"))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(rule))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (put.statusCode() / 100 != 2) {
        out.println("bench: the rule was refused: " + put.statusCode() + " " + put.body());
        return false;
      }
      Thread.sleep(1_000); // the rule reaches the node's cache
      out.printf(
          "bench: %d endpoints, %d requests/s each, failing every other second; %d s warm-up,"
              + " %d s measured%n",
          endpoints, PER_SECOND, warmup, seconds);
      URI ingest = URI.create(node.baseUrl() + "/api/v1/ingest");
      long[] sent = {System.currentTimeMillis()};
      traffic.scheduleAtFixedRate(() -> post(http, ingest, sent), 0, 100, TimeUnit.MILLISECONDS);
      long measureFrom = System.nanoTime() + warmup * 1_000_000_000L;
      long measureTo = measureFrom + seconds * 1_000_000_000L;
      long nextReport = System.nanoTime() + 10_000_000_000L;
      long heapBefore = -1;
      while (System.nanoTime() < measureTo) {
        if (heapBefore < 0 && System.nanoTime() >= measureFrom) {
          heapBefore = heapAfterGc();
        }
        Thread.sleep(200);
        if (System.nanoTime() >= nextReport) {
          out.printf(
              "bench: %d changes published, %d at the webhook%n",
              published.size(), received.size());
          nextReport += 10_000_000_000L;
        }
      }
      traffic.shutdownNow();
      // the last changes arrive: until every one published in the window has, or 30 s
      for (long until = System.nanoTime() + 30_000_000_000L;
          System.nanoTime() < until && !allArrived(published, received, measureFrom, measureTo); ) {
        Thread.sleep(100);
      }
      long heapAfter = heapAfterGc();
      boolean ok = report(published, received, measureFrom, measureTo);
      out.printf(
          "bench: heap after a full GC %,d MB when measuring started, %,d MB at its end%n",
          heapBefore >> 20, heapAfter >> 20);
      writes(node, published.size());
      return ok;
    } finally {
      traffic.shutdownNow();
      receiver.stop(0);
      receiverThreads.shutdownNow();
    }
  }

  /** Posts the last 100 ms of every endpoint's traffic: errors in even seconds on even ones. */
  private void post(HttpClient http, URI ingest, long[] sent) {
    long now = System.currentTimeMillis();
    long from = sent[0];
    sent[0] = now;
    StringBuilder body = new StringBuilder();
    for (int e = 0; e < endpoints; e++) {
      // PER_SECOND requests a second: one every 1000 / PER_SECOND ms of wall time
      long step = 1000 / PER_SECOND;
      for (long ts = (from / step + 1) * step; ts <= now; ts += step) {
        boolean failing = ((ts / 1000) + e) % 2 == 0;
        body.append("{\"ts\":")
            .append(ts)
            .append(",\"endpoint\":\"")
            .append(PREFIX)
            .append(e)
            .append("\",\"status\":")
            .append(failing ? 503 : 200)
            .append(",\"latency_ms\":12.5,\"src_ip\":\"10.0.0.")
            .append(e % 250 + 1)
            .append("\"}\n");
      }
    }
    try {
      http.send(
          HttpRequest.newBuilder(ingest)
              .header("Content-Type", "application/x-ndjson")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the bench is over
    } catch (Exception e) {
      out.println("bench: a post failed: " + e);
    }
  }

  private boolean report(
      Map<String, Long> published, Map<String, Long> received, long fromNs, long toNs) {
    long[] latencies =
        published.entrySet().stream()
            .filter(e -> e.getValue() >= fromNs && e.getValue() < toNs)
            .map(
                e ->
                    received.get(e.getKey()) == null
                        ? -1L
                        // the bench's own subscriber may hear of a change after the receiver
                        // does (both on a busy JVM): that change took no measurable time
                        : Math.max(0, received.get(e.getKey()) - e.getValue()))
            .mapToLong(Long::longValue)
            .toArray();
    long lost = Arrays.stream(latencies).filter(l -> l < 0).count();
    published.entrySet().stream()
        .filter(e -> e.getValue() >= fromNs && e.getValue() < toNs)
        .filter(e -> !received.containsKey(e.getKey()))
        .limit(10)
        .forEach(
            e ->
                out.printf(
                    "bench: never arrived: %s, published %.1f s before the window's end%n",
                    e.getKey(), (toNs - e.getValue()) / 1e9));
    long[] sorted = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
    if (sorted.length == 0) {
      out.println("bench: no alert change reached the webhook");
      return false;
    }
    double seconds = (toNs - fromNs) / 1e9;
    out.printf(
        "bench: %d alert changes in %.0f s (%.1f a second), %d at the webhook, %d never arrived%n",
        latencies.length, seconds, latencies.length / seconds, sorted.length, lost);
    out.printf(
        "bench: publish -> webhook p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        rank(sorted, 0.50) / 1e6,
        rank(sorted, 0.90) / 1e6,
        rank(sorted, 0.99) / 1e6,
        rank(sorted, 1.0) / 1e6);
    boolean met = rank(sorted, 0.99) < P99_TARGET_MS * 1_000_000L;
    out.printf("bench: target p99 < %d ms: %s%n", P99_TARGET_MS, met ? "met" : "MISSED");
    return lost == 0;
  }

  private static boolean allArrived(
      Map<String, Long> published, Map<String, Long> received, long fromNs, long toNs) {
    return published.entrySet().stream()
        .filter(e -> e.getValue() >= fromNs && e.getValue() < toNs)
        .allMatch(e -> received.containsKey(e.getKey()));
  }

  private static long heapAfterGc() {
    System.gc();
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * The notifier's Cassandra writes per alert change, from the rows it left: each outbox row is
   * written twice (decided, then done), each audit row once; the offset once a second at most.
   */
  private void writes(Node node, long changes) throws Exception {
    String keyspace =
        node.system().settings().config().getString("pekko.persistence.cassandra.journal.keyspace");
    var session =
        org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry.get(
                node.system())
            .sessionFor("pekko.persistence.cassandra")
            .underlying()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    long outbox = 0;
    for (var row : session.execute("SELECT receiver FROM " + keyspace + ".notifier_outbox")) {
      outbox++;
    }
    long audit = 0;
    for (var row : session.execute("SELECT status FROM " + keyspace + ".notifier_audit")) {
      audit++;
    }
    out.printf(
        "bench: notifier writes per alert change: outbox %.2f (%,d rows, each written when"
            + " decided and when done), audit %.2f (%,d rows, one per attempt), offset at most"
            + " one a second; plus the alert event the entity persists (journal and tag view)%n",
        2.0 * outbox / changes, outbox, (double) audit / changes, audit);
  }

  private static long rank(long[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }
}
