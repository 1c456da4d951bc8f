package io.autoglm.monitor.tools.bench;

import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.tools.drill.LocalCluster;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench notifier-crash}: no alert is lost when the node running the notifier is
 * killed in the middle of sending. Two node processes on one embedded Cassandra; {@code --alerts}
 * endpoints (10 services) each get a burst of errors under one rule, so each fires once; the
 * webhook receiver answers every request after {@code --receiver-delay}, so the sending takes a
 * while; once it has half the alerts, the node running the notifier (the oldest) gets {@code kill
 * -9}. The other node's notifier must then deliver the rest: every alert reaches the receiver, and
 * every copy of an alert change carries the one key.
 */
@Command(
    name = "notifier-crash",
    description = {
      "Kills (-9) the node running the notifier halfway through sending a burst of alerts and"
          + " checks that the other node delivers every one, each alert change under one key.",
      "Starts an embedded Cassandra and two node processes on this machine (the survivor on the"
          + " lower cluster port, so the split-brain resolver keeps it), a slow local webhook"
          + " receiver, and --alerts endpoints that each fire once. Prints when each alert"
          + " arrived relative to the kill, the duplicates (same key) and the alerts missing;"
          + " exit status 0 when none is missing."
    })
public final class NotifierCrashDrill implements Callable<Integer> {
  private static final String RULE =
      """
      {"metric": "error_rate", "op": ">", "threshold": 0.5, "for": "0s", "flapping": false,
       "severity": "critical", "endpoint": "/drill/*", "description": "notifier crash drill"}""";
  private static final int SERVICES = 10;
  private static final long WAIT_MS = 300_000;

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--alerts",
      paramLabel = "N",
      description = "alerts to fire, 10 to 2000 (default: ${DEFAULT-VALUE})")
  int alerts = 1000;

  @Option(
      names = "--receiver-delay",
      paramLabel = "MS",
      description =
          "how long the receiver takes to answer each request, 0 to 1000 ms (default:"
              + " ${DEFAULT-VALUE})")
  int receiverDelayMs = 100;

  private final PrintStream out;
  private final HttpClient http = HttpClient.newHttpClient();

  public NotifierCrashDrill(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    OptionChecks.between(spec, "--alerts", alerts, 10, 2000);
    OptionChecks.between(spec, "--receiver-delay", receiverDelayMs, 0, 1000);
    Path dir = Files.createTempDirectory("autoglm-drill");
    Map<String, Set<String>> keysByAlert = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> copies = new ConcurrentHashMap<>();
    Map<String, Long> firstAt = new ConcurrentHashMap<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService receiverThreads = Executors.newFixedThreadPool(4);
    receiver.setExecutor(receiverThreads);
    receiver.createContext(
        "/hook",
        ex -> {
          var body = io.autoglm.monitor.protocols.json.Json.mapper().readTree(ex.getRequestBody());
          String key = ex.getRequestHeaders().getFirst("X-AutoGLM-Delivery-Id");
          var labels = body.path("alerts").path(0).path("labels");
          if ("firing".equals(body.path("status").asText())) {
            String alert = labels.path("service").asText() + labels.path("endpoint").asText();
            keysByAlert.computeIfAbsent(alert, a -> ConcurrentHashMap.newKeySet()).add(key);
            firstAt.putIfAbsent(alert, System.currentTimeMillis());
          }
          copies.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
          try {
            Thread.sleep(receiverDelayMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    receiver.start();
    String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    Map<String, String> props =
        Map.of(
            "autoglm.rules.install-defaults", "false",
            "autoglm.notifier.webhook.url", hook,
            "autoglm.notifier.allowed-networks.0", "127.0.0.1/32");
    try (LocalCluster cluster = LocalCluster.withCassandra(dir, out, props, 2)) {
      // node 1 (the oldest: it runs the notifier) is killed; node 2 has the lower address, which
      // keep-majority keeps when two nodes split one against one
      cluster.startNodes(2);
      out.println("drill: two nodes up (the notifier runs on node 1, pid " + cluster.pid(1) + ")");
      LocalCluster.Answer put =
          cluster.send(2, "PUT", "/api/v1/rules/drill", RULE, Duration.ofSeconds(10));
      if (!put.ok()) {
        throw new IllegalStateException(
            "PUT /api/v1/rules/drill: " + put.status() + " " + put.body());
      }
      Thread.sleep(2_000); // the rule reaches both nodes
      long ts = System.currentTimeMillis() - 10_000;
      for (int s = 0; s < SERVICES; s++) {
        StringBuilder body = new StringBuilder();
        for (int e = s; e < alerts; e += SERVICES) {
          for (int i = 0; i < 30; i++) {
            body.append("{\"ts\":")
                .append(ts + i * 100)
                .append(",\"endpoint\":\"/drill/")
                .append(e)
                .append("\",\"status\":503,\"latency_ms\":5,\"src_ip\":\"10.1.")
                .append(e / 250)
                .append('.')
                .append(e % 250 + 1)
                .append("\"}\n");
          }
        }
        send(cluster.baseUrl(2) + "/api/v1/ingest?service=drill-" + s, body.toString());
      }
      out.printf("drill: %d endpoints in %d services got their errors%n", alerts, SERVICES);
      long deadline = System.currentTimeMillis() + WAIT_MS;
      while (keysByAlert.size() < alerts / 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      int before = keysByAlert.size();
      long killedAt = System.currentTimeMillis();
      cluster.kill(1);
      out.printf(
          "drill: node 1 killed (-9) with %d of %d alerts at the receiver%n", before, alerts);
      long lastProgress = 0;
      while (keysByAlert.size() < alerts && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
        if (System.currentTimeMillis() - lastProgress >= 5_000) {
          lastProgress = System.currentTimeMillis();
          out.printf(
              "drill: %d of %d alerts at the receiver, %.0f s after the kill%n",
              keysByAlert.size(), alerts, (lastProgress - killedAt) / 1000.0);
        }
      }
      Thread.sleep(3_000); // late copies
      return report(keysByAlert, copies, firstAt, killedAt, before);
    } finally {
      receiver.stop(0);
      receiverThreads.shutdownNow();
    }
  }

  private int report(
      Map<String, Set<String>> keysByAlert,
      Map<String, AtomicInteger> copies,
      Map<String, Long> firstAt,
      long killedAt,
      int before) {
    long twoKeys = keysByAlert.values().stream().filter(k -> k.size() > 1).count();
    long duplicates = copies.values().stream().filter(c -> c.get() > 1).count();
    long last = firstAt.values().stream().mapToLong(Long::longValue).max().orElse(killedAt);
    int missing = alerts - keysByAlert.size();
    out.printf(
        "drill: %d of %d alerts delivered (%d before the kill, %d after; the last %.1f s after"
            + " it); %d missing%n",
        keysByAlert.size(),
        alerts,
        before,
        keysByAlert.size() - before,
        (last - killedAt) / 1000.0,
        missing);
    out.printf(
        "drill: %d alert changes reached the receiver more than once (each time with its one"
            + " key); %d alerts came with two different keys%n",
        duplicates, twoKeys);
    boolean ok = missing == 0 && twoKeys == 0;
    out.println(ok ? "drill: PASSED" : "drill: FAILED");
    return ok ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
  }

  /** Posts NDJSON capture records to {@code url}; anything but 2xx is an error. */
  private void send(String url, String ndjson) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException("POST " + url + ": " + r.statusCode() + " " + r.body());
    }
  }
}
