package io.autoglm.monitor.tools.drill;

import io.autoglm.monitor.agent.ship.StreamShipper;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The steady ingest of a drill: one agent ({@link StreamShipper}, every node in its list, so it
 * fails over as a real one does) sending {@code rate} records a second over {@code endpoints}
 * endpoints of service {@code drill}, dated as they are made, a batch every {@link #BATCH}. It
 * counts what it made per endpoint: once everything is acked, the cluster must have counted exactly
 * that. While the traffic {@link #failAll fails}, every record answers 503.
 */
final class DrillTraffic implements AutoCloseable {
  static final String SERVICE = "drill";
  static final Duration BATCH = Duration.ofMillis(200);

  private final StreamShipper shipper;
  private final int rate;
  private final int endpoints;
  private final Map<String, AtomicLong> made = new ConcurrentHashMap<>();
  private volatile boolean failing;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread sender;
  private volatile boolean running = true;
  private volatile long watchedSeq = Long.MAX_VALUE;
  private final AtomicLong firstAckBeyondNanos = new AtomicLong(-1);
  private long next; // sender thread only: number of the next record

  DrillTraffic(List<String> nodes, int rate, int endpoints, PrintStream out) {
    this.rate = rate;
    this.endpoints = endpoints;
    this.shipper =
        new StreamShipper(
            new StreamShipper.Options(
                nodes,
                "drill-agent",
                System.currentTimeMillis(),
                SERVICE,
                1024, // 200 s of batches: the agent keeps making records through an outage
                Duration.ofMillis(250),
                msg -> out.println("drill: agent: " + msg),
                this::acked,
                StreamShipper.Encoding.BINARY));
    this.sender = new Thread(this::run, "drill-traffic");
    this.sender.setDaemon(true);
  }

  static String endpoint(int i) {
    return "/drill/e" + i;
  }

  void start() {
    sender.start();
  }

  /** Makes every record answer 503 from now on ({@code true}), or 200 again. */
  void failAll(boolean fail) {
    failing = fail;
  }

  private void run() {
    long origin = System.currentTimeMillis();
    try {
      while (running) {
        long now = System.currentTimeMillis();
        List<CaptureRecord> batch = new ArrayList<>();
        int status = failing ? 503 : 200;
        for (long ts = origin + next * 1000 / rate; ts <= now; ts = origin + ++next * 1000 / rate) {
          String endpoint = endpoint((int) (next % endpoints));
          batch.add(
              CaptureRecord.of(
                  ts, endpoint, status, 40 + next % 60, "10.9." + next % 7 + "." + next % 200));
        }
        if (!batch.isEmpty()) {
          shipper.send(batch); // blocks only when 1,024 batches are unacked
          for (CaptureRecord r : batch) {
            made.computeIfAbsent(r.endpoint(), e -> new AtomicLong()).incrementAndGet();
          }
        }
        Thread.sleep(BATCH.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.set(e);
    }
  }

  private void acked(long seq) {
    if (seq > watchedSeq) {
      firstAckBeyondNanos.compareAndSet(-1, System.nanoTime());
    }
  }

  /**
   * From now on, notes when the cluster first acknowledges a batch after the newest one sent so far
   * ({@link #firstAckBeyondNanos}).
   */
  void watchNextBatch() {
    firstAckBeyondNanos.set(-1);
    watchedSeq = shipper.sentSeq();
  }

  /** {@link System#nanoTime} of that acknowledgement, or -1 while there was none. */
  long firstAckBeyondNanos() {
    return firstAckBeyondNanos.get();
  }

  /** The seq of the newest batch handed to the agent. */
  long sentSeq() {
    return shipper.sentSeq();
  }

  /** The newest seq the cluster acknowledged (everything up to it is persisted). */
  long ackedSeq() {
    return shipper.ackedSeq();
  }

  /** Stops making records and waits until the cluster acknowledged every batch. */
  boolean stopAndDrain(Duration timeout) throws InterruptedException {
    running = false;
    sender.join(5_000);
    if (failure.get() != null) {
      throw new IllegalStateException("the drill's traffic failed", failure.get());
    }
    return shipper.awaitAcked(timeout);
  }

  /** Records made per endpoint (path). */
  Map<String, Long> made() {
    Map<String, Long> out = new TreeMap<>();
    made.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** The agent's totals as the cluster acknowledged them (accepted, duplicates, ...). */
  Map<String, Long> totals() {
    return shipper.totals();
  }

  @Override
  public void close() {
    running = false;
    sender.interrupt();
    shipper.close();
  }
}
