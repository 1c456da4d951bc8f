package io.autoglm.monitor.tools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.node.Node;
import io.autoglm.monitor.node.NodeFixture;
import io.autoglm.monitor.node.SlowJournal;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * With persistence slowed to 300 ms a write, the node stops reading the agent's socket: the records
 * it holds stay within what its stream settings allow, the agent's sends block (it reads no further
 * input) well before its own limit of unacked batches, and nothing is dropped: every record is
 * counted in the end.
 */
class StreamBackpressureIT {

  @Test
  void aSlowJournalSlowsTheAgentInsteadOfFillingTheNode() throws Exception {
    Node node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "pekko.persistence.journal.plugin",
                    "slow-journal",
                    "slow-journal.class",
                    SlowJournal.class.getName(),
                    "slow-journal.delay",
                    "300ms",
                    "autoglm.ingest.stream.flush-interval",
                    "100ms",
                    "autoglm.stats.min-write-interval",
                    "100ms",
                    "autoglm.ingest.stream.max-records-per-flush",
                    10_000,
                    "autoglm.ingest.stream.decode-parallelism",
                    2,
                    // every one of the 200 clients sends 100 requests a second, so each would be
                    // tracked and get writes of its own through the slow journal: this test is
                    // about the endpoints' backpressure
                    "autoglm.ips.max-tracked",
                    0)));
    try {
      int batches = 240;
      int perBatch = 2_000;
      StreamShipper agent =
          new StreamShipper(
              new StreamShipper.Options(
                  List.of("127.0.0.1:" + node.httpPort()),
                  "gw-slow",
                  1,
                  null,
                  batches,
                  Duration.ofMillis(200),
                  msg -> {}));
      AtomicReference<Throwable> producerFailure = new AtomicReference<>();
      Thread producer =
          new Thread(
              () -> {
                try {
                  for (int b = 0; b < batches; b++) {
                    List<CaptureRecord> records = new ArrayList<>(perBatch);
                    for (int i = 0; i < perBatch; i++) {
                      records.add(
                          CaptureRecord.of(
                              NodeFixture.T0 + b * 100L + i % 100,
                              "/v1/chat/completions",
                              200,
                              300,
                              "10.3.0." + (i % 200 + 1)));
                    }
                    agent.send(records);
                  }
                } catch (Throwable t) {
                  producerFailure.set(t);
                }
              },
              "agent-producer");
      producer.start();

      // every write takes 300 ms and one tick of 10 000 records persists at a time, so the
      // node takes in far fewer batches a second than the agent offers
      // sample what the agent sees every 150 ms for 6 s (a measurement, not a wait for a state)
      long[] onTheWire = new long[40];
      CountDownLatch sampled = new CountDownLatch(onTheWire.length);
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      try {
        sampler.scheduleAtFixedRate(
            () -> {
              int sample = onTheWire.length - (int) sampled.getCount();
              if (sample < onTheWire.length) {
                onTheWire[sample] = agent.sentSeq() - agent.ackedSeq();
                sampled.countDown();
              }
            },
            150,
            150,
            TimeUnit.MILLISECONDS);
        assertTrue(sampled.await(30, TimeUnit.SECONDS), "40 samples taken");
      } finally {
        sampler.shutdownNow();
      }
      long maxOnTheWire = java.util.Arrays.stream(onTheWire).max().orElseThrow();
      long nodeHeld = node.ingestCounters().maxRecordsBuffered();
      System.out.printf(
          "backpressure: at most %d batches on the wire (socket buffers included), the node held at "
              + "most %,d records; %d of %d acked after 6 s%n",
          maxOnTheWire, nodeHeld, agent.ackedSeq(), batches);
      // The agent is held back by the socket, not by its own window: its send blocks while far
      // fewer than its 240 allowed batches are unacked.
      assertTrue(producer.isAlive(), "the agent has not been able to send everything");
      assertTrue(
          agent.unackedBatches() < batches,
          "the agent is blocked before its own limit of " + batches);
      // The node holds at most the tick being persisted, the tick being gathered and one batch
      // that did not fit in it: (1 + 1) x 10 000 + 2 000 records, however much the agent offers.
      // (What sits in the kernel's socket buffers is bounded by the kernel, not counted here.)
      assertTrue(nodeHeld > 0, "the node counted what it held");
      assertTrue(nodeHeld <= 2 * 10_000 + perBatch, "the node held " + nodeHeld + " records");

      assertTrue(agent.awaitAcked(Duration.ofMinutes(3)), "everything acked in the end");
      producer.join();
      assertEquals(null, producerFailure.get());
      // counted once each: as accepted, or as duplicates when a batch whose ack was lost to a
      // timed-out write is sent again
      assertEquals((long) batches * perBatch, agent.totals().get("counted"));
      assertEquals(
          (long) batches * perBatch,
          new io.autoglm.monitor.node.TestHttp(node.baseUrl())
              .get("/api/v1/endpoints/default%2Fv1%2Fchat%2Fcompletions/stats")
              .json()
              .get("accepted")
              .asLong(),
          "the node counted every record once");
      assertEquals(0, node.ingestCounters().recordsBuffered(), "nothing held once all is acked");
      agent.close();
    } finally {
      node.close();
    }
  }
}
