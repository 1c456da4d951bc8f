package io.autoglm.monitor.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.agent.cli.Commands;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import io.autoglm.monitor.node.TestHttp;
import io.autoglm.monitor.persistence.cassandra.EmbeddedCassandra;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.tools.gen.CaptureGenerator;
import io.autoglm.monitor.tools.gen.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent stream --stdin --spool DIR} while no node is up: the program writing to the agent's
 * stdin is never held up (the batches the in-flight window cannot take go to segment files), and
 * once a node starts every record is counted exactly once and the spool is empty.
 */
class AgentSpoolIT {
  @TempDir Path spoolDir;

  @Test
  void aProducerOnStdinIsNeverHeldUpWhileNoNodeIsReachable() throws Exception {
    List<CaptureRecord> records = new ArrayList<>();
    new CaptureGenerator(
            CaptureGenerator.Options.defaults()
                .withSeconds(40)
                .withRate(500)
                .withScenario(Scenario.MIXED))
        .generate(records::add);
    Map<String, Long> expected = new TreeMap<>();
    records.forEach(r -> expected.merge(r.endpoint(), 1L, Long::sum));

    int port = EmbeddedCassandra.freePort(); // nothing listens there yet
    PipedInputStream stdin = new PipedInputStream(1 << 16);
    PipedOutputStream producer = new PipedOutputStream(stdin);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> agent =
        CompletableFuture.supplyAsync(
            () ->
                Commands.run(
                    new String[] {
                      "stream",
                      "--stdin",
                      "--nodes",
                      "127.0.0.1:" + port,
                      "--agent-id",
                      "gw-spool",
                      "--batch",
                      "200",
                      "--max-unacked",
                      "4",
                      "--spool",
                      spoolDir.toString()
                    },
                    stdin,
                    new PrintStream(out, true),
                    new PrintStream(err, true)));

    // the whole input goes in although no node has acked (or even accepted a connection)
    CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> write(records, producer));
    writing.get(60, TimeUnit.SECONDS);
    long segments;
    try (Stream<Path> files = Files.list(spoolDir)) {
      segments = files.filter(p -> p.toString().endsWith(".seg")).count();
    }
    assertTrue(segments > 0, "the batches beyond memory wait on disk; agent said: " + err);

    // short flush ticks: with 4 small batches in flight, the 1 s default would pace the test
    try (Node node =
        Node.start(
            ConfigFactory.parseMap(
                    Map.of(
                        "autoglm.http.port",
                        port,
                        "autoglm.ingest.stream.flush-interval",
                        "100ms",
                        "autoglm.stats.min-write-interval",
                        "100ms"))
                .withFallback(NodeFixture.freshConfig(Map.of())))) {
      int exit;
      try {
        exit = agent.get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("the agent did not finish; it said: " + out + err);
      }
      assertEquals(0, exit, "all acked; agent said: " + out + err);
      String summary = out.toString(StandardCharsets.UTF_8);
      assertTrue(summary.contains("counted " + String.format("%,d", records.size())), summary);
      assertTrue(summary.contains("went through the disk spool"), summary);
      try (Stream<Path> files = Files.list(spoolDir)) {
        assertEquals(
            0, files.filter(p -> p.toString().endsWith(".seg")).count(), "the spool is drained");
      }

      TestHttp http = new TestHttp(node.baseUrl());
      Map<String, Long> counted = new TreeMap<>();
      for (String endpoint : expected.keySet()) {
        JsonNode stats =
            http.get(
                    "/api/v1/endpoints/"
                        + URLEncoder.encode("default" + endpoint, StandardCharsets.UTF_8)
                        + "/stats?limit=10000")
                .json();
        counted.put(endpoint, NodeFixture.countInMinutes(stats));
      }
      assertEquals(expected, counted);
    }
  }

  private static void write(List<CaptureRecord> records, OutputStream producer) {
    try (producer) {
      CaptureCodec.encodeAll(records, producer);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
