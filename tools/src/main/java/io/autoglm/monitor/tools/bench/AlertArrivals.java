package io.autoglm.monitor.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.AlertFeedClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * When each alert change of one endpoint reached this JVM, in wall-clock millis (comparable with
 * the capture records' {@code ts}): on the WebSocket feed, timed by a thread that waits on the
 * feed, so the time is taken as the message arrives; and at a local webhook receiver, timed as the
 * POST comes in. {@link #await} hands them out in order per channel and status.
 */
final class AlertArrivals implements AutoCloseable {

  enum Channel {
    FEED,
    WEBHOOK
  }

  /**
   * One alert change: when it arrived, and the event time the node evaluated it at (the alert's
   * {@code windowEnd}; on the feed only, -1 at the webhook).
   */
  record Arrival(long atMs, long windowEndMs) {}

  private static final Duration POLL = Duration.ofMillis(100);

  private final String endpoint;
  private final HttpServer receiver;
  private final Map<String, BlockingQueue<Arrival>> arrivals = new ConcurrentHashMap<>();
  private final AtomicInteger unmatched = new AtomicInteger();
  private volatile boolean closed;
  private Thread feedReader;

  private AlertArrivals(String endpoint, HttpServer receiver) {
    this.endpoint = endpoint;
    this.receiver = receiver;
  }

  /** Starts the webhook receiver (on a port the OS picks) for alerts of {@code endpoint}. */
  static AlertArrivals start(String endpoint) throws IOException {
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AlertArrivals arrivals = new AlertArrivals(endpoint, receiver);
    receiver.createContext("/hook", arrivals::onWebhook);
    receiver.start();
    return arrivals;
  }

  /** Where the node should POST its webhook payloads. */
  String webhookUrl() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  /** Starts timing the messages of {@code feed}. */
  void watch(AlertFeedClient feed) {
    feedReader = new Thread(() -> readFeed(feed), "bench-alert-feed");
    feedReader.setDaemon(true);
    feedReader.start();
  }

  /**
   * The first {@code status} alert on {@code channel} that arrived at or after {@code notBeforeMs}
   * (earlier ones are dropped and counted as {@link #unmatched}), waiting until {@code deadlineMs};
   * null if none came by then or {@code failure} reports one (checked every 100 ms).
   */
  Arrival await(
      Channel channel, String status, long notBeforeMs, long deadlineMs, Supplier<String> failure)
      throws InterruptedException {
    BlockingQueue<Arrival> queue = queue(channel, status);
    while (failure.get() == null) {
      long left = deadlineMs - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      Arrival a = queue.poll(Math.min(left, POLL.toMillis()), TimeUnit.MILLISECONDS);
      if (a != null && a.atMs() >= notBeforeMs) {
        return a;
      }
      if (a != null) {
        unmatched.incrementAndGet();
      }
    }
    return null;
  }

  /** Alert changes dropped by {@link #await} as older than what it waited for (flapping). */
  int unmatched() {
    return unmatched.get();
  }

  private BlockingQueue<Arrival> queue(Channel channel, String status) {
    return arrivals.computeIfAbsent(channel + " " + status, k -> new LinkedBlockingQueue<>());
  }

  private void readFeed(AlertFeedClient feed) {
    try {
      while (!closed) {
        JsonNode message = feed.next(POLL);
        long at = System.currentTimeMillis();
        JsonNode alert = message == null ? null : message.path("alert");
        if (alert != null
            && message.path("type").asText().equals("alert")
            && alert.path("endpoint").asText().equals(endpoint)) {
          queue(Channel.FEED, alert.path("status").asText())
              .add(new Arrival(at, epochMillis(alert.path("windowEnd"))));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An ISO-8601 instant (how the API writes times) in epoch millis; -1 if it is none. */
  private static long epochMillis(JsonNode instant) {
    try {
      return Instant.parse(instant.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  private void onWebhook(HttpExchange exchange) throws IOException {
    long at = System.currentTimeMillis();
    JsonNode body = Json.mapper().readTree(exchange.getRequestBody());
    exchange.sendResponseHeaders(200, -1);
    exchange.close();
    for (JsonNode alert : body.path("alerts")) {
      if (alert.path("labels").path("endpoint").asText().equals(endpoint)) {
        queue(Channel.WEBHOOK, alert.path("status").asText()).add(new Arrival(at, -1));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (feedReader != null) {
      feedReader.interrupt();
    }
    receiver.stop(0);
  }
}
