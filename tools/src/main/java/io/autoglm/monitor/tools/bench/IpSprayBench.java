package io.autoglm.monitor.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm bench ip-spray}: what a spray of distinct source IPs costs a node, and what a
 * tracked source IP costs. A node with embedded Cassandra in this JVM; an agent streams:
 *
 * <ol>
 *   <li>{@code --seconds} of normal traffic ({@code --rate} requests a second from 2,000 clients
 *       over three endpoints) with {@code --spray} requests from as many distinct addresses
 *       (100.64.0.0/10, one request each) spread over the same seconds. Reported: throughput, heap
 *       after a full GC before and after, journal writes a second, the tracked IPs, and whether the
 *       endpoints counted every record;
 *   <li>then {@code --track} more distinct addresses (100.128.0.0/10, one request each) that a rule
 *       on source IPs names, so each gets an entity: heap after GC with them alive minus before,
 *       per entity.
 * </ol>
 */
@Command(
    name = "ip-spray",
    description = {
      "Measures what a spray of distinct source IPs and what tracked source IPs cost a node.",
      "Starts a node with embedded Cassandra in this JVM; prints heap, writes and counts."
    })
public final class IpSprayBench implements Callable<Integer> {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final String[] ENDPOINTS = {
    "/v1/chat/completions", "/v1/embeddings", "/v1/models"
  };

  @Spec CommandSpec spec;

  @Mixin HelpOption help;

  @Option(
      names = "--spray",
      paramLabel = "N",
      description = "distinct spraying addresses, one request each (default: ${DEFAULT-VALUE})")
  int spray = 1_000_000;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      description = "seconds of event time the spray spans (default: ${DEFAULT-VALUE})")
  int seconds = 60;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description = "normal requests a second beside it (default: ${DEFAULT-VALUE})")
  int rate = 5_000;

  @Option(
      names = "--spray-v6",
      paramLabel = "SHARE",
      description =
          "share of the spraying addresses that are IPv6, rotating within two /64 networks"
              + " (default: ${DEFAULT-VALUE})")
  double sprayV6 = 0.5;

  @Option(
      names = "--track",
      paramLabel = "N",
      description =
          "addresses then tracked to measure heap per tracked IP (default: ${DEFAULT-VALUE})")
  int track = 100_000;

  @Option(
      names = "--histogram",
      description =
          "print the classes whose heap grew most per tracked IP (a class histogram of live"
              + " objects before and after the tracked IPs)")
  boolean histogram;

  /** New tracked addresses sent at once, each batch acked before the next. */
  private static final int TRACK_BATCH = 5_000;

  private final PrintStream out;
  private final HttpClient http = HttpClient.newHttpClient();

  public IpSprayBench(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    OptionChecks.between(spec, "--spray", spray, 0, 4_000_000);
    OptionChecks.between(spec, "--seconds", seconds, 1, 3_600);
    OptionChecks.between(spec, "--rate", rate, 0, 100_000);
    OptionChecks.between(spec, "--track", track, 0, 1_000_000);
    if (!(sprayV6 >= 0 && sprayV6 <= 1)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--spray-v6 must be from 0 to 1, got " + sprayV6);
    }
    try (Node node =
        BenchNode.start(
            "bench_spray",
            Map.of(
                "autoglm.ips.max-tracked", track + 10_000, "autoglm.http.ingest-timeout", "120s"),
            out)) {
      return run(node) ? CommandLines.EXIT_OK : CommandLines.EXIT_FAILURE;
    }
  }

  private boolean run(Node node) throws Exception {
    put(
        node,
        "/api/v1/rules/watch-bench",
        "{\"scope\": \"ip\", \"metric\": \"qps\", \"op\": \">\", \"threshold\": 1000000,"
            + " \"ip\": \"100.1*\"}");
    StreamShipper agent =
        new StreamShipper(
            new StreamShipper.Options(
                List.of("127.0.0.1:" + node.httpPort()),
                "bench-spray",
                System.currentTimeMillis(),
                null,
                32,
                Duration.ofMillis(500),
                msg -> out.println("agent: " + msg)));
    long heapBefore = heapAfterGc();
    long writesBefore = node.counters().journalWrites.sum();
    long started = System.nanoTime();
    long sent = 0;
    List<CaptureRecord> batch = new ArrayList<>(5_000);
    long sprayed = 0;
    long chatSent = 0;
    for (int s = 0; s < seconds; s++) {
      long sprayThisSecond = (long) spray * (s + 1) / seconds - (long) spray * s / seconds;
      long n = rate + sprayThisSecond;
      for (long i = 0; i < n; i++) {
        long ts = T0 + s * 1000L + i * 1000 / Math.max(1, n);
        // spread the second's spray evenly among its normal requests
        boolean sprays = (i + 1) * sprayThisSecond / n > i * sprayThisSecond / n;
        CaptureRecord r =
            sprays
                ? CaptureRecord.of(ts, ENDPOINTS[0], 200, 50, sprayAddress(sprayed++))
                : CaptureRecord.of(
                    ts,
                    ENDPOINTS[(int) (i % 3)],
                    200,
                    50,
                    "10.1." + (i % 2000) / 250 + "." + i % 250);
        batch.add(r);
        chatSent += r.endpoint().equals(ENDPOINTS[0]) ? 1 : 0;
        if (batch.size() == 5_000) {
          agent.send(batch);
          sent += batch.size();
          batch = new ArrayList<>(5_000);
        }
      }
      if (s % 10 == 9) {
        out.printf("bench: %d s of event time sent, %,d addresses sprayed%n", s + 1, sprayed);
      }
    }
    if (!batch.isEmpty()) {
      agent.send(batch);
      sent += batch.size();
    }
    if (!agent.awaitAcked(Duration.ofMinutes(10))) {
      out.println("bench: not everything was acked in 10 minutes");
      return false;
    }
    double secs = (System.nanoTime() - started) / 1e9;
    long writes = node.counters().journalWrites.sum() - writesBefore;
    long heapAfter = heapAfterGc();
    long counted = 0;
    for (String endpoint : ENDPOINTS) {
      counted +=
          BenchNode.get(node, "/api/v1/endpoints/" + enc("default" + endpoint) + "/stats")
              .get("accepted")
              .asLong();
    }
    JsonNode ips = BenchNode.get(node, "/api/v1/ips");
    // who called the sprayed endpoint, from the history: wait until all its minutes are there
    long chatRecords = chatSent;
    String topIps =
        "/api/v1/endpoints/"
            + enc("default" + ENDPOINTS[0])
            + "/top-ips?k=5&from="
            + T0
            + "&to="
            + (T0 + seconds * 1000L + 60_000);
    JsonNode top = BenchNode.get(node, topIps);
    for (int i = 0; i < 100 && top.path("requests").asLong() < chatRecords; i++) {
      Thread.sleep(200);
      top = BenchNode.get(node, topIps);
    }
    long distinctTruth = sprayed + Math.min(rate, 2_000);
    long distinct = top.path("distinctIps").path("estimate").asLong();
    List<String> prefixes = new ArrayList<>();
    top.path("prefixes")
        .forEach(p -> prefixes.add(p.get("item").asText() + " " + p.get("requests").asLong()));
    long v6 = Math.round(sprayed * sprayV6);
    boolean sprayedV6Named =
        v6 == 0
            || (prefixes.stream().anyMatch(p -> p.startsWith(V6_PREFIXES[0]))
                && prefixes.stream().anyMatch(p -> p.startsWith(V6_PREFIXES[1])));
    out.println();
    out.printf(
        "spray               %,d distinct addresses among %,d records over %d s of event time%n",
        sprayed, sent, seconds);
    out.printf("throughput          %,.0f records/s (%.1f s)%n", sent / secs, secs);
    out.printf("endpoint writes     %,d journal writes, %.1f/s%n", writes, writes / secs);
    out.printf(
        "tracked IPs         %d (refused %d)%n",
        ips.get("ips").size(), ips.get("refused").asLong());
    out.printf(
        "heap after GC       %,d MB before, %,d MB after (%+,d MB)%n",
        heapBefore >> 20, heapAfter >> 20, (heapAfter - heapBefore) >> 20);
    out.printf(
        "endpoints counted   %,d of %,d records%s%n",
        counted, sent, counted == sent ? "" : "  MISMATCH");
    out.printf(
        "top-ips %s  %,d requests, distinct IPs %,d estimated vs %,d sent (%+.1f %%)%n",
        ENDPOINTS[0],
        top.path("requests").asLong(),
        distinct,
        distinctTruth,
        (distinct - distinctTruth) * 100.0 / distinctTruth);
    out.printf(
        "  top networks      %s%s%n",
        String.join(", ", prefixes),
        sprayedV6Named ? "" : "  (the sprayed /64 networks are MISSING)");

    // phase 2: addresses a rule names are tracked from their first request
    long heapNone = heapAfterGc();
    Map<String, long[]> histoBefore = histogram ? HeapHistogram.live() : Map.of();
    long writes2 = node.counters().journalWrites.sum();
    long started2 = System.nanoTime();
    for (int i = 0; i < track; i += TRACK_BATCH) {
      batch = new ArrayList<>(TRACK_BATCH);
      for (int j = i; j < Math.min(track, i + TRACK_BATCH); j++) {
        batch.add(
            CaptureRecord.of(
                T0 + seconds * 1000L + j % 1000, ENDPOINTS[1], 200, 20, address(0x64800000L + j)));
      }
      agent.send(batch);
      if (!agent.awaitAcked(Duration.ofMinutes(2))) {
        out.println("bench: tracked addresses from " + i + " were not acked in 2 minutes");
        return false;
      }
    }
    double secs2 = (System.nanoTime() - started2) / 1e9;
    out.println();
    StorageReport.print(node, out, 1.0);
    long heapTracked = heapAfterGc();
    int tracked = BenchNode.get(node, "/api/v1/ips").get("ips").size();
    if (histogram && tracked > 0) {
      HeapHistogram.printGrowth(out, histoBefore, HeapHistogram.live(), tracked, 25);
    }
    agent.close();
    out.printf(
        "tracked IPs         %,d admitted and kept in %.1f s (%,.0f/s)%n",
        tracked, secs2, tracked / secs2);
    out.printf(
        "heap after GC       %,d MB without them, %,d MB with them: %,d bytes per tracked IP%n",
        heapNone >> 20, heapTracked >> 20, tracked == 0 ? 0 : (heapTracked - heapNone) / tracked);
    return counted == sent && sprayedV6Named;
  }

  /** The two IPv6 networks the IPv6 share of the spray rotates in. */
  private static final String[] V6_PREFIXES = {"2001:db8:bad:1::/64", "2001:db8:bad:2::/64"};

  /** The n-th spraying address: IPv6 in one of two /64s for the --spray-v6 share, else IPv4. */
  private String sprayAddress(long n) {
    // spread the IPv6 share evenly: address n is IPv6 when the share's count steps at n
    if (Math.round((n + 1) * sprayV6) > Math.round(n * sprayV6)) {
      long k = Math.round(n * sprayV6);
      return "2001:db8:bad:"
          + (1 + k % 2)
          + ":"
          + Long.toHexString(k >> 48 & 0xffff)
          + ":"
          + Long.toHexString(k >> 32 & 0xffff)
          + ":"
          + Long.toHexString(k >> 16 & 0xffff)
          + ":"
          + Long.toHexString(k & 0xffff);
    }
    return address(0x64400000L + n);
  }

  private static String address(long v) {
    return (v >> 24 & 255) + "." + (v >> 16 & 255) + "." + (v >> 8 & 255) + "." + (v & 255);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static long heapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private void put(Node node, String path, String json) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException("the rule was refused: " + r.body());
    }
  }
}
