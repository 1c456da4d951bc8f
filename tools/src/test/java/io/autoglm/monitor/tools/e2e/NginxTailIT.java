package io.autoglm.monitor.tools.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.agent.tail.AccessLogFormat;
import io.autoglm.monitor.agent.tail.LogShipper;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import io.autoglm.monitor.node.TestHttp;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nginx on loopback as a reverse proxy in front of a small backend, writing the documented
 * JSON access log. The agent tails it, the log is rotated (rename + reopen) in the middle, and the
 * agent itself is stopped and started again from its state file — once while it could not reach any
 * node, so batches were pending; every request made through nginx is counted exactly once.
 */
class NginxTailIT {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  @TempDir Path dir;

  @Test
  void everyRequestThroughNginxIsCountedOnceAcrossRotationAndAgentRestart() throws Exception {
    if (!Files.isExecutable(NGINX)) {
      if (System.getenv("CI") != null) {
        fail("nginx is not installed; .ci/run installs it with apt-get");
      }
      Assumptions.assumeTrue(false, "nginx is not installed (apt-get install nginx)");
    }
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext(
        "/",
        exchange -> {
          boolean fails = exchange.getRequestURI().getPath().equals("/v1/generate");
          exchange.getResponseHeaders().add("X-Model", "glm-4");
          exchange.getResponseHeaders().add("X-Prompt-Tokens", "12");
          exchange.getResponseHeaders().add("X-Completion-Tokens", "34");
          exchange.sendResponseHeaders(fails ? 503 : 200, 2);
          exchange.getResponseBody().write("ok".getBytes());
          exchange.close();
        });
    backend.start();
    int nginxPort = EmbeddedCassandra.freePort();
    Path log = dir.resolve("llm-access.log");
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, nginxConf(nginxPort, backend.getAddress().getPort(), log));
    Process nginx =
        new ProcessBuilder(NGINX.toString(), "-c", conf.toString(), "-p", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    Node node =
        Node.start(NodeFixture.freshConfig(Map.of("autoglm.stats.allowed-lateness", "10m")));
    try {
      awaitPort(nginxPort);
      HttpClient client = HttpClient.newHttpClient();
      Path state = dir.resolve("agent.state");

      LogShipper first = startAgent(node, log, state);
      int chat = 0;
      int generate = 0;
      for (int i = 0; i < 60; i++) {
        boolean gen = i % 4 == 0;
        request(client, nginxPort, gen ? "/v1/generate" : "/v1/chat/completions?stream=false");
        if (gen) {
          generate++;
        } else {
          chat++;
        }
      }
      awaitAcked(first, 60);
      first.close(); // the agent stops; its state file says where it was

      Files.move(log, dir.resolve("llm-access.log.1"));
      run(NGINX.toString(), "-c", conf.toString(), "-p", dir.toString(), "-s", "reopen");
      for (int i = 0; i < 40; i++) {
        request(client, nginxPort, "/v1/chat/completions");
        chat++;
      }
      // an agent that cannot reach any node: its batches stay pending in the state file
      LogShipper stranded = startAgent(log, state, "127.0.0.1:" + EmbeddedCassandra.freePort());
      awaitRead(stranded, 40);
      assertTrue(stranded.shipper().unackedBatches() > 0, "nothing could be acked");
      stranded.close();
      assertTrue(
          Files.readString(state).contains("\"pending\":[{"),
          "the pending batches are in the state file");

      LogShipper second = startAgent(node, log, state);
      for (int i = 0; i < 20; i++) {
        request(client, nginxPort, "/v1/generate");
        generate++;
      }
      awaitAcked(second, 40 + 20); // the stranded agent's 40 lines, sent again, and 20 new
      second.close();

      TestHttp http = new TestHttp(node.baseUrl());
      assertEquals(
          chat,
          NodeFixture.countInMinutes(
              http.get("/api/v1/endpoints/nginx-gw%2Fv1%2Fchat%2Fcompletions/stats").json()));
      JsonNode gen = http.get("/api/v1/endpoints/nginx-gw%2Fv1%2Fgenerate/stats").json();
      assertEquals(generate, NodeFixture.countInMinutes(gen));
      long fiveXx = 0;
      for (JsonNode w : gen.get("minutes")) {
        fiveXx += w.get("status").get("5xx").asLong();
        if (w.get("count").asLong() > 0) {
          assertEquals(
              34 * w.get("count").asLong(),
              w.get("tokens").get("completion").asLong(),
              "tokens from the upstream headers");
        }
      }
      assertEquals(generate, fiveXx, "the backend's 503s");
    } finally {
      node.close();
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
      backend.stop(0);
    }
  }

  private LogShipper startAgent(Node node, Path log, Path state) throws IOException {
    return startAgent(log, state, "127.0.0.1:" + node.httpPort());
  }

  private LogShipper startAgent(Path log, Path state, String nodeAddress) throws IOException {
    LogShipper agent =
        new LogShipper(
            new LogShipper.Options(
                log,
                AccessLogFormat.NGINX,
                state,
                "nginx-gw",
                25,
                Duration.ofMillis(200),
                Duration.ofMillis(20)),
            epoch ->
                new StreamShipper(
                    new StreamShipper.Options(
                        List.of(nodeAddress),
                        "nginx-agent",
                        epoch,
                        null,
                        16,
                        Duration.ofMillis(200),
                        msg -> {})),
            msg -> System.out.println("agent: " + msg));
    Thread t =
        new Thread(
            () -> {
              try {
                agent.run();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            },
            "log-shipper");
    t.setDaemon(true);
    t.start();
    return agent;
  }

  private static void awaitRead(LogShipper agent, int lines) {
    await("the agent reads " + lines + " lines")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertEquals(lines, agent.linesRead()));
  }

  /**
   * Waits until the node has answered for {@code records} records of this agent (counted, or
   * dropped as replays): read lines wait in the agent's open batch until it is sent, so lines read
   * and nothing unacked does not yet mean they arrived.
   */
  private static void awaitAcked(LogShipper agent, long records) {
    await("the node answers for " + records + " records of the agent")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Map<String, Long> totals = agent.shipper().totals();
              long answered =
                  totals.get("accepted")
                      + totals.get("duplicates")
                      + totals.get("rejected")
                      + totals.get("late")
                      + totals.get("future");
              assertTrue(answered >= records, "answered for " + answered + " " + totals);
              assertEquals(0, agent.shipper().unackedBatches(), "batches unacked");
            });
  }

  private static void request(HttpClient client, int port, String path) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"glm-4\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() == 200 || r.statusCode() == 503, "nginx answered " + r.statusCode());
  }

  private static void awaitPort(int port) {
    await("nginx listens on " + port)
        .atMost(Duration.ofSeconds(20))
        .ignoreException(IOException.class)
        .until(
            () -> {
              try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
              }
            });
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
  }

  /** The nginx configuration the README documents, on loopback, all paths in the test folder. */
  static String nginxConf(int port, int backendPort, Path log) {
    Path d = log.getParent();
    return """
        daemon off;
        master_process on;
        worker_processes 1;
        user root;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 64; }
        http {
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          log_format autoglm escape=json '{"ts_msec":"$msec","endpoint":"$uri","method":"$request_method",'
              '"status":$status,"request_time":$request_time,"remote_addr":"$remote_addr",'
              '"bytes_in":$request_length,"bytes_out":$bytes_sent,"host":"$host","request_id":"$request_id",'
              '"model":"$upstream_http_x_model","prompt_tokens":"$upstream_http_x_prompt_tokens",'
              '"completion_tokens":"$upstream_http_x_completion_tokens"}';
          server {
            listen 127.0.0.1:%2$d;
            access_log %3$s autoglm;
            location / { proxy_pass http://127.0.0.1:%4$d; }
          }
        }
        """
        .formatted(d, port, log, backendPort);
  }
}
