package io.autoglm.monitor.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.AlertFeedClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench alert}: how fast an alert reaches the live feed and the webhook once the
 * record that closes its window arrives. A node with embedded Cassandra (fresh keyspace) and a
 * local webhook receiver in this JVM; one rule (error rate above 20 %, no {@code for}); each round
 * sends 30 s of traffic with an error burst in its last 10 s to an endpoint of its own, then the 6
 * s of traffic that close the burst's window, and times that last request until the alert is on the
 * feed and at the webhook.
 */
@Command(
    name = "alert",
    description = {
      "Measures how fast an alert reaches the feed and the webhook.",
      "Starts a node with embedded Cassandra and a local webhook receiver in this JVM; each round"
          + " closes an error burst's window and times the alert on the WebSocket feed and at the"
          + " webhook; prints p50/p90/max."
    })
public final class AlertBench implements Callable<Integer> {
  private static final String RULE =
      """
      {"metric": "error_rate", "op": ">", "threshold": 0.2, "for": "0s", "severity": "critical",
       "endpoint": "/bench/alert/*", "description": "bench alert"}""";
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z, on a window bound
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description = "alerts to time, each on an endpoint of its own (default: ${DEFAULT-VALUE})")
  int rounds = 30;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      description = "rounds before the timed ones, not counted (default: ${DEFAULT-VALUE})")
  int warmup = 5;

  private final PrintStream out;

  public AlertBench(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    OptionChecks.between(spec, "--rounds", rounds, 1, 10_000);
    OptionChecks.between(spec, "--warmup", warmup, 0, 10_000);
    return run() ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
  }

  private boolean run() throws Exception {
    BlockingQueue<Arrival> hooks = new LinkedBlockingQueue<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          long at = System.nanoTime();
          JsonNode body = Json.mapper().readTree(exchange.getRequestBody());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
          for (JsonNode alert : body.path("alerts")) {
            hooks.add(
                new Arrival(
                    alert.path("labels").path("endpoint").asText(),
                    alert.path("status").asText(),
                    at));
          }
        });
    receiver.start();
    HttpClient http = HttpClient.newHttpClient();
    try (Node node =
            BenchNode.start(
                "bench_alert",
                Map.of(
                    "autoglm.notifier.webhook.url",
                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"),
                out);
        AlertFeedClient feed = AlertFeedClient.connect(http, node.baseUrl())) {
      HttpResponse<String> rule =
          http.send(
              HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/rules/bench-alert"))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(RULE))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (rule.statusCode() / 100 != 2) {
        out.println("bench: the rule was refused: " + rule.statusCode() + " " + rule.body());
        return false;
      }
      long[] feedMs = new long[rounds];
      long[] hookMs = new long[rounds];
      long[] ackMs = new long[rounds];
      for (int round = 0; round < warmup + rounds; round++) {
        String endpoint = "/bench/alert/r" + round;
        post(
            http,
            node,
            traffic(endpoint, 0, 20, 0.01, round) + traffic(endpoint, 20, 30, 0.5, round));
        long sent = System.nanoTime();
        post(http, node, traffic(endpoint, 30, 36, 0.01, round)); // watermark 31 s: closes [20, 30)
        long acked = System.nanoTime();
        long onFeed = awaitFeed(feed, endpoint);
        long atHook = awaitHook(hooks, endpoint);
        if (onFeed < 0 || atHook < 0) {
          out.printf(
              "bench: round %d: no alert %s within %d s%n",
              round, onFeed < 0 ? "on the feed" : "at the webhook", WAIT.toSeconds());
          return false;
        }
        if (round >= warmup) {
          int i = round - warmup;
          feedMs[i] = (onFeed - sent) / 1_000_000;
          hookMs[i] = (atHook - sent) / 1_000_000;
          ackMs[i] = (acked - sent) / 1_000_000;
        }
      }
      out.println();
      out.printf(
          "alerts timed        %d (after %d warm-up rounds), from sending the record that closes"
              + " the window%n",
          rounds, warmup);
      out.println("                    p50      p90      max");
      row("ingest answered", ackMs);
      row("on the feed", feedMs);
      row("at the webhook", hookMs);
      return true;
    } finally {
      receiver.stop(0);
    }
  }

  private void row(String what, long[] ms) {
    long[] sorted = ms.clone();
    Arrays.sort(sorted);
    out.printf(
        "%-18s %5d ms %5d ms %5d ms%n",
        what,
        sorted[(sorted.length - 1) / 2],
        sorted[(int) Math.ceil(sorted.length * 0.9) - 1],
        sorted[sorted.length - 1]);
  }

  /** NDJSON for seconds {@code [from, to)} at 50 requests a second, {@code errors} of them 500. */
  private static String traffic(String endpoint, int from, int to, double errors, int round) {
    StringBuilder ndjson = new StringBuilder();
    int perSecond = 50;
    int errorsPerSecond = (int) Math.round(perSecond * errors);
    for (int s = from; s < to; s++) {
      for (int i = 0; i < perSecond; i++) {
        long ts = T0 + s * 1000L + i * (1000L / perSecond);
        int status = i < errorsPerSecond ? 500 : 200;
        CaptureRecord r =
            CaptureRecord.of(ts, endpoint, status, 100 + i, "10.0." + (round % 250) + "." + i);
        ndjson.append(CaptureCodec.encode(r)).append('\n');
      }
    }
    return ndjson.toString();
  }

  private static void post(HttpClient http, Node node, String ndjson)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/ingest"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("ingest answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** When the firing alert for {@code endpoint} came on the feed (nanoTime), or -1. */
  private static long awaitFeed(AlertFeedClient feed, String endpoint) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode message = feed.next(Duration.ofNanos(deadline - System.nanoTime()));
      if (message != null
          && message.path("type").asText().equals("alert")
          && message.path("alert").path("status").asText().equals("firing")
          && message.path("alert").path("endpoint").asText().equals(endpoint)) {
        return System.nanoTime();
      }
    }
    return -1;
  }

  /** When the firing alert for {@code endpoint} reached the webhook (nanoTime), or -1. */
  private static long awaitHook(BlockingQueue<Arrival> hooks, String endpoint)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Arrival a = hooks.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (a != null && a.endpoint().equals(endpoint) && a.status().equals("firing")) {
        return a.at();
      }
    }
    return -1;
  }

  private record Arrival(String endpoint, String status, long at) {}
}
