package io.autoglm.monitor.tools.bench;

import io.autoglm.monitor.agent.ship.StreamShipper;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One agent connection of a bench pass ({@code bench ingest}, {@code bench cluster}): a real {@link
 * StreamShipper} that times each batch from its send to its ack into the pass's {@link Latencies}.
 */
final class TimedAgent {
  final StreamShipper shipper;
  final AtomicLong lastAcked = new AtomicLong();
  private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
  private long batches;

  /**
   * @param nodes {@code host:port} of the nodes, the first one first, the others to fail over to
   * @param window unacked batches at most
   * @param log where the shipper's connection messages go
   */
  TimedAgent(
      List<String> nodes,
      String id,
      String service,
      int window,
      Latencies latencies,
      StreamShipper.Encoding encoding,
      Consumer<String> log) {
    shipper =
        new StreamShipper(
            new StreamShipper.Options(
                nodes,
                id,
                System.currentTimeMillis(),
                service,
                window,
                Duration.ofMillis(500),
                log,
                seq -> {
                  long now = System.nanoTime();
                  for (long s = lastAcked.get() + 1; s <= seq; s++) {
                    Long t = sentAt.remove(s);
                    if (t != null) {
                      latencies.add(now - t, now);
                    }
                  }
                  lastAcked.accumulateAndGet(seq, Math::max);
                },
                encoding));
  }

  /** Sends one NDJSON batch (blocks while the window is full). */
  void send(byte[] frame) throws InterruptedException {
    sentAt.put(++batches, System.nanoTime());
    shipper.sendNdjson(frame);
  }

  /** Ack latencies of all agents of a pass, and when the last ack came. */
  static final class Latencies {
    private long[] nanos = new long[1024];
    private int count;
    private long lastAckAt;

    synchronized void add(long latency, long at) {
      if (count == nanos.length) {
        nanos = Arrays.copyOf(nanos, count * 2);
      }
      nanos[count++] = latency;
      lastAckAt = Math.max(lastAckAt, at);
    }

    synchronized long[] sorted() {
      long[] sorted = Arrays.copyOf(nanos, count);
      Arrays.sort(sorted);
      return sorted;
    }

    synchronized long lastAckAt() {
      return lastAckAt;
    }
  }
}
