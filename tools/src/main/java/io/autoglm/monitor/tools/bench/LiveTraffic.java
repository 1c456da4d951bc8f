package io.autoglm.monitor.tools.bench;

import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live traffic of {@code bench alert-latency}, as a gateway shipping its access log would send
 * it: a sender thread that every {@link #POST_INTERVAL} posts the requests of the last interval to
 * {@code POST /api/v1/ingest} as NDJSON capture records, {@code rate} requests a second spread
 * evenly, each dated ({@code ts}) with the wall-clock time it was made. Requests answer 200; during
 * a {@link Burst} a share of them answer 503, spread evenly over the burst, its first request among
 * them. Posts are asynchronous, so a post waiting for its endpoint's write slot does not hold up
 * the next one; a post that fails or is not answered 200 is the node failing ({@link #failure}).
 */
final class LiveTraffic implements AutoCloseable {
  static final Duration POST_INTERVAL = Duration.ofMillis(100);
  private static final long SHARE_UNIT = 1_000_000; // error share in millionths: exact counting

  /**
   * A burst of errors over {@code [startMs, endMs)} of wall-clock time, and the {@code ts} of the
   * first and last bad request the sender made in it (-1 until it made one).
   */
  static final class Burst {
    final int number;
    final long startMs;
    final long endMs;
    private volatile long firstBadMs = -1;
    private volatile long lastBadMs = -1;
    private long requests; // sender thread only

    private Burst(int number, long startMs, long endMs) {
      this.number = number;
      this.startMs = startMs;
      this.endMs = endMs;
    }

    long firstBadMs() {
      return firstBadMs;
    }

    long lastBadMs() {
      return lastBadMs;
    }
  }

  private final HttpClient http;
  private final URI ingest;
  private final String endpoint;
  private final int rate;
  private final long errorShare; // in SHARE_UNITs
  private final long originMs;
  private final ScheduledExecutorService sender =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-traffic");
            t.setDaemon(true);
            return t;
          });
  private final AtomicReference<String> failure = new AtomicReference<>();
  private volatile Burst burst; // the current or next burst, set by the measuring thread
  private long nextRequest; // sender thread only: number of the next request to make

  private LiveTraffic(
      HttpClient http, String baseUrl, String endpoint, int rate, double errorShare) {
    this.http = http;
    this.ingest = URI.create(baseUrl + "/api/v1/ingest");
    this.endpoint = endpoint;
    this.rate = rate;
    this.errorShare = Math.round(errorShare * SHARE_UNIT);
    this.originMs = System.currentTimeMillis();
  }

  /** Starts healthy traffic to {@code endpoint} of the node at {@code baseUrl}. */
  static LiveTraffic start(
      HttpClient http, String baseUrl, String endpoint, int rate, double errorShare) {
    LiveTraffic traffic = new LiveTraffic(http, baseUrl, endpoint, rate, errorShare);
    long period = POST_INTERVAL.toMillis();
    traffic.sender.scheduleAtFixedRate(traffic::tick, period, period, TimeUnit.MILLISECONDS);
    return traffic;
  }

  /** Wall-clock time the traffic started. */
  long startedAtMs() {
    return originMs;
  }

  /** Makes the requests of {@code [startMs, startMs + durationMs)} a burst; start in the future. */
  Burst scheduleBurst(int number, long startMs, long durationMs) {
    Burst next = new Burst(number, startMs, startMs + durationMs);
    burst = next;
    return next;
  }

  /** Why the node failed (a post failed or was not answered 200), or null while it has not. */
  String failure() {
    return failure.get();
  }

  /** One post: every request made since the last one, up to now. */
  private void tick() {
    try {
      long now = System.currentTimeMillis();
      StringBuilder ndjson = new StringBuilder();
      for (long ts = tsOf(nextRequest); ts <= now; ts = tsOf(++nextRequest)) {
        CaptureRecord r =
            CaptureRecord.of(
                ts, endpoint, statusAt(ts), 80 + nextRequest % 40, "10.0.0." + nextRequest % 250);
        ndjson.append(CaptureCodec.encode(r)).append('\n');
      }
      if (!ndjson.isEmpty()) {
        post(ndjson.toString());
      }
    } catch (RuntimeException e) {
      failure.compareAndSet(null, "the traffic sender failed: " + e);
    }
  }

  /** When request number {@code n} is made: {@code rate} a second, evenly from the start. */
  private long tsOf(long n) {
    return originMs + n * 1000 / rate;
  }

  /** 503 for the error share of a burst's requests (the first one included), else 200. */
  private int statusAt(long ts) {
    Burst b = burst;
    if (b == null || ts < b.startMs || ts >= b.endMs) {
      return 200;
    }
    long k = b.requests++;
    boolean bad = ceilDiv((k + 1) * errorShare, SHARE_UNIT) > ceilDiv(k * errorShare, SHARE_UNIT);
    if (!bad) {
      return 200;
    }
    if (b.firstBadMs < 0) {
      b.firstBadMs = ts;
    }
    b.lastBadMs = ts;
    return 503;
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }

  private void post(String ndjson) {
    HttpRequest request =
        HttpRequest.newBuilder(ingest)
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofString(ndjson))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                failure.compareAndSet(null, "an ingest post failed: " + error);
              } else if (response.statusCode() != 200) {
                failure.compareAndSet(
                    null, "ingest answered " + response.statusCode() + ": " + response.body());
              }
            });
  }

  /** Stops sending; posts under way are left to finish or fail. */
  @Override
  public void close() {
    sender.shutdownNow();
  }
}
