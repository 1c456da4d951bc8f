package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (the Debian package's binary, on loopback) scrapes a node under traffic with
 * the bearer token from a credentials file, and every PromQL expression of the Grafana dashboard
 * ({@code deploy/grafana/dashboards}) and every recording rule of {@code deploy/prometheus} must
 * return data.
 */
class PrometheusIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final String TOKEN = "test-admin-token-0123456789abcdef";
  private static final String CHAT = "/v1/chat/completions";
  private static final String GENERATE = "/v1/generate";
  private static final ObjectMapper JSON = TestHttp.MAPPER;

  /** How the dashboard's variables are read here: every service, endpoint and job. */
  private static final Map<String, String> VARIABLES =
      Map.of(
          "__rate_interval", "30s",
          "__interval", "5s",
          "__range", "5m",
          "service", ".*",
          "endpoint", ".*",
          "job", "autoglm");

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void everyDashboardExpressionAndRecordingRuleReturnsDataFromARealPrometheus() throws Exception {
    if (!Files.isExecutable(PROMETHEUS)) {
      if (System.getenv("CI") != null) {
        fail("prometheus is not installed; ./run-tests installs it with apt-get");
      }
      Assumptions.assumeTrue(false, "prometheus is not installed (apt-get install prometheus)");
    }
    List<String> expressions = dashboardExpressions();
    List<String> recorded = recordingRules();
    assertTrue(expressions.size() >= 20, "the dashboard's expressions: " + expressions);

    // the first delivery fails, the retry gets through: attempts and failures both count
    AtomicInteger hooks = new AtomicInteger();
    HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    webhook.createContext(
        "/hook",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(hooks.getAndIncrement() == 0 ? 500 : 200, -1);
          exchange.close();
        });
    webhook.start();
    ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
    Process prometheus = null;
    try (Node node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "autoglm.auth.enabled", "on",
                    "autoglm.auth.admin-token", TOKEN,
                    "autoglm.metrics.shard-poll-interval", "1s",
                    "autoglm.notifier.webhook.url",
                        "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook",
                    "autoglm.notifier.webhook.min-backoff", "200ms")))) {
      String base = node.baseUrl();
      HttpResponse<String> rule =
          send(
              base + "/api/v1/rules/chat-errors",
              "PUT",
              "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.2, \"for\": \"0s\","
                  + " \"severity\": \"critical\", \"endpoint\": \"/v1/chat/*\"}");
      assertEquals(201, rule.statusCode(), rule.body());

      // live traffic, twice a second: chat with 25 % errors, generate with 2 %; tokens on both
      AtomicInteger tick = new AtomicInteger();
      traffic.scheduleAtFixedRate(
          () -> {
            try {
              HttpResponse<String> r =
                  send(base + "/api/v1/ingest", "POST", records(tick.getAndIncrement()));
              if (r.statusCode() != 200) {
                System.err.println("ingest answered " + r.statusCode() + ": " + r.body());
              }
            } catch (Exception e) {
              System.err.println("ingest failed: " + e);
            }
          },
          0,
          500,
          TimeUnit.MILLISECONDS);

      // without a token (autoglm.metrics.open is off): refused
      HttpResponse<String> anonymous = get(base + "/metrics");
      assertEquals(401, anonymous.statusCode(), anonymous.body());
      // the node's exposition, with the token, once the first records are persisted
      HttpResponse<String> metrics =
          Awaitility.await("the first records counted")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(250))
              .until(
                  () -> send(base + "/metrics", "GET", null),
                  r ->
                      r.statusCode() == 200
                          && r.body().contains("autoglm_endpoint_requests_total{"));
      assertTrue(
          metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
          metrics.headers().toString());
      assertTrue(
          metrics.body().contains("# TYPE autoglm_endpoint_requests_total counter"),
          metrics.body());
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM metrics");

      int port = EmbeddedCassandra.freePort();
      prometheus = startPrometheus(node, port);
      String api = "http://127.0.0.1:" + port;
      Awaitility.await("prometheus ready")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(() -> get(api + "/-/ready").statusCode() == 200);

      Map<String, String> empty = new LinkedHashMap<>();
      List<String> all = new ArrayList<>(expressions);
      all.addAll(recorded);
      try {
        Awaitility.await("every expression returns data")
            .atMost(Duration.ofSeconds(150))
            .pollInterval(Duration.ofSeconds(2))
            .until(
                () -> {
                  empty.clear();
                  for (String expr : all) {
                    JsonNode result = query(api, expr);
                    if (result.isEmpty()) {
                      empty.put(expr, "no data");
                    }
                  }
                  return empty.isEmpty();
                });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        fail(
            empty.size()
                + " of "
                + all.size()
                + " expressions return no data (targets: "
                + get(api + "/api/v1/targets").body()
                + "): "
                + String.join("\n  ", empty.keySet()));
      }

      // and what they return is what was sent: two endpoints, chat failing at about 25 %
      JsonNode qps = query(api, "sum by (endpoint) (rate(autoglm_endpoint_requests_total[30s]))");
      assertEquals(2, qps.size(), qps.toString());
      JsonNode errors =
          query(
              api,
              "sum(rate(autoglm_endpoint_errors_total{endpoint=\""
                  + CHAT
                  + "\"}[1m])) / sum(rate(autoglm_endpoint_requests_total{endpoint=\""
                  + CHAT
                  + "\"}[1m]))");
      assertEquals(0.25, value(errors.get(0)), 0.05, errors.toString());
      JsonNode p99 =
          query(
              api,
              "histogram_quantile(0.99, sum by (le) (rate(autoglm_endpoint_latency_seconds_bucket{endpoint=\""
                  + GENERATE
                  + "\"}[1m])))");
      // generate's requests take 1.5 s: the histogram puts its P99 in the (1 s, 2 s] bucket
      double p99Seconds = value(p99.get(0));
      assertTrue(p99Seconds > 1 && p99Seconds <= 2, p99.toString());
      JsonNode failures = query(api, "sum(autoglm_notifier_failures_total)");
      assertTrue(value(failures.get(0)) >= 1, failures.toString());
      JsonNode firing = query(api, "max(autoglm_alerts_firing{severity=\"critical\"})");
      assertEquals(1, value(firing.get(0)), firing.toString());
      JsonNode ips = query(api, "count(autoglm_top_source_ip_requests_per_second)");
      assertTrue(value(ips.get(0)) <= 10, "at most top-ips IP series: " + ips);
      traffic.shutdownNow(); // before the node stops
      traffic.awaitTermination(10, TimeUnit.SECONDS);
    } finally {
      traffic.shutdownNow();
      if (prometheus != null) {
        prometheus.destroy();
        if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      webhook.stop(0);
    }
  }

  /** Half a second of live traffic: 60 chat requests (15 failing), 20 generate (0.4 failing). */
  private static byte[] records(int tick) {
    long now = System.currentTimeMillis();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 80; i++) {
      boolean chat = i < 60;
      int status = chat ? (i % 4 == 0 ? 500 : 200) : (i == 79 && tick % 5 == 0 ? 503 : 200);
      double latency = chat ? 40 + i % 30 : 1500;
      // a few heavy sources and a spray of one-off ones
      String ip =
          i % 2 == 0 ? "203.0.113." + (i % 6) : "10.9." + (tick % 250) + "." + (i % 250 + 1);
      sb.append(
          String.format(
              java.util.Locale.ROOT,
              "{\"ts\":%d,\"endpoint\":\"%s\",\"status\":%d,\"latency_ms\":%.1f,\"src_ip\":\"%s\","
                  + "\"model\":\"glm-4\",\"prompt_tokens\":%d,\"completion_tokens\":%d}\n",
              now - 80 + i,
              chat ? CHAT : GENERATE,
              status,
              latency,
              ip,
              100 + i,
              chat ? 20 : 400));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private Process startPrometheus(Node node, int port) throws IOException {
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    String target = URI.create(node.baseUrl()).getAuthority();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        "global:\n"
            + "  scrape_interval: 1s\n"
            + "  evaluation_interval: 1s\n"
            + "rule_files:\n"
            + "  - "
            + dir.resolve("rules.yml")
            + "\n"
            + "scrape_configs:\n"
            + "  - job_name: autoglm\n"
            + "    metrics_path: /metrics\n"
            + "    authorization:\n"
            + "      type: Bearer\n"
            + "      credentials_file: "
            + token
            + "\n"
            + "    static_configs:\n"
            + "      - targets: [\""
            + target
            + "\"]\n");
    // the deploy rules, evaluated every second here (15 s in deploy/)
    Files.writeString(
        dir.resolve("rules.yml"),
        Files.readString(Checkout.file("deploy", "prometheus", "autoglm-rules.yml"))
            .replace("interval: 15s", "interval: 1s"));
    return new ProcessBuilder(
            PROMETHEUS.toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + dir.resolve("data"),
            "--web.listen-address=127.0.0.1:" + port,
            "--log.level=warn")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
  }

  /** Every target expression of the dashboard, its variables replaced. */
  private static List<String> dashboardExpressions() throws IOException {
    Path file = Checkout.file("deploy", "grafana", "dashboards", "autoglm-overview.json");
    JsonNode dashboard = JSON.readTree(file.toFile());
    Set<String> out = new LinkedHashSet<>();
    collect(dashboard.get("panels"), out);
    return out.stream().map(PrometheusIT::substitute).toList();
  }

  private static void collect(JsonNode panels, Set<String> out) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        if (target.hasNonNull("expr")) {
          out.add(target.get("expr").asText());
        }
      }
      collect(panel.path("panels"), out); // rows hold panels too
    }
  }

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

  private static String substitute(String expr) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = VARIABLES.get(m.group(1));
      if (value == null) {
        throw new AssertionError("dashboard variable $" + m.group(1) + " unknown here: " + expr);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The names the recording rules of deploy/prometheus record. */
  private static List<String> recordingRules() throws IOException {
    JsonNode rules =
        new ObjectMapper(new YAMLFactory())
            .readTree(Checkout.file("deploy", "prometheus", "autoglm-rules.yml").toFile());
    List<String> out = new ArrayList<>();
    for (JsonNode group : rules.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        out.add(rule.get("record").asText());
      }
    }
    return out;
  }

  /** The result of an instant query; fails on an error answer (a bad expression). */
  private JsonNode query(String api, String expr) throws Exception {
    HttpResponse<String> r =
        get(api + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    JsonNode body = JSON.readTree(r.body());
    if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new AssertionError("query " + expr + " failed: " + r.statusCode() + " " + r.body());
    }
    return body.get("data").get("result");
  }

  private static double value(JsonNode sample) {
    return Double.parseDouble(sample.get("value").get(1).asText());
  }

  private HttpResponse<String> get(String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A request to the node, with the admin token. */
  private HttpResponse<String> send(String url, String method, Object body) throws Exception {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : body instanceof byte[] bytes
                ? HttpRequest.BodyPublishers.ofByteArray(bytes)
                : HttpRequest.BodyPublishers.ofString((String) body);
    return client.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN)
            .header(
                "Content-Type",
                body instanceof byte[] ? "application/x-ndjson" : "application/json")
            .method(method, publisher)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
