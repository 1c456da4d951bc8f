package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * With persistence slowed to 300 ms a write, the node stops reading the agent's socket: the
 * batches on the wire (sent, not acked) stop growing, far below the agent's own limit of
 * unacked batches, and the agent's sends block (it reads no further input) until the node
 * catches up. The node buffers a bounded amount; nothing is dropped and every record is
 * counted in the end.
 */
class StreamBackpressureTest {

  @Test
  void aSlowJournalSlowsTheAgentInsteadOfFillingTheNode() throws Exception {
    Node node = Node.start(NodeFixture.freshConfig(Map.of(
        "pekko.persistence.journal.plugin", "slow-journal",
        "slow-journal.class", SlowJournal.class.getName(),
        "slow-journal.delay", "300ms",
        "autoglm.ingest.stream.flush-interval", "100ms",
        "autoglm.ingest.stream.max-records-per-flush", 10_000,
        "autoglm.ingest.stream.flushes-in-flight", 2)));
    try {
      int batches = 240;
      int perBatch = 2_000;
      StreamShipper agent = new StreamShipper(new StreamShipper.Options(List.of("127.0.0.1:" + node.httpPort()),
          "gw-slow", 1, null, batches, Duration.ofMillis(200), msg -> { }));
      AtomicReference<Throwable> producerFailure = new AtomicReference<>();
      Thread producer = new Thread(() -> {
        try {
          for (int b = 0; b < batches; b++) {
            List<CaptureRecord> records = new ArrayList<>(perBatch);
            for (int i = 0; i < perBatch; i++) {
              records.add(CaptureRecord.of(NodeFixture.T0 + b * 100L + i % 100, "/v1/chat/completions", 200,
                  300, "10.3.0." + (i % 200 + 1)));
            }
            agent.send(records);
          }
        } catch (Throwable t) {
          producerFailure.set(t);
        }
      }, "agent-producer");
      producer.start();

      // every write takes 300 ms and at most 2 ticks of 10 000 records persist at once, so the
      // node takes in about 50 batches of 2000 a second less than the agent offers
      long[] onTheWire = new long[40];
      for (int sample = 0; sample < onTheWire.length; sample++) {
        LockSupport.parkNanos(150_000_000L); // sampling what the agent sees, not waiting for a state
        onTheWire[sample] = agent.sentSeq() - agent.ackedSeq();
      }
      long firstHalf = java.util.Arrays.stream(onTheWire, 0, 20).max().orElseThrow();
      long secondHalf = java.util.Arrays.stream(onTheWire, 20, 40).max().orElseThrow();
      System.out.printf("backpressure: batches on the wire, max %d in the first 3 s, %d in the next 3 s; "
          + "%d of %d acked after 6 s%n", firstHalf, secondHalf, agent.ackedSeq(), batches);
      assertTrue(producer.isAlive(), "the agent is held back: it has not been able to send everything");
      assertTrue(secondHalf <= 60, "the node stopped reading: " + secondHalf + " batches on the wire, "
          + "far below the agent's own limit of " + batches);
      // loopback socket buffers may still grow a little (autotuning): allow a few batches of slack
      assertTrue(secondHalf <= firstHalf + 10, "what is on the wire stops growing: " + firstHalf + " then " + secondHalf);

      assertTrue(agent.awaitAcked(Duration.ofMinutes(3)), "everything acked in the end");
      producer.join();
      assertEquals(null, producerFailure.get());
      assertEquals((long) batches * perBatch, agent.totals().get("accepted"));
      agent.close();
    } finally {
      node.close();
    }
  }
}
