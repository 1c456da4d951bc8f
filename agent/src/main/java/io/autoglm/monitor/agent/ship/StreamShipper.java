package io.autoglm.monitor.agent.ship;

import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.wire.BatchFrame;
import io.autoglm.monitor.protocols.wire.StreamReply;
import io.autoglm.monitor.protocols.wire.WholeMessages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * Streams capture batches to the cluster over the agent WebSocket protocol ({@code
 * /api/v1/ingest/stream}) with at-least-once delivery: every batch gets the next seq of this
 * agent's epoch and stays in an unacked buffer until a node acks it (acks are cumulative and come
 * only once the records are persisted). When the connection drops, the shipper moves to the next
 * node in its list and sends every unacked batch again; the cluster drops the ones it had already
 * counted, so each record is counted exactly once.
 *
 * <p>{@link #send} blocks while {@code maxUnacked} batches are unacked: the agent slows down to
 * what the cluster persists, and memory stays bounded.
 *
 * <p>With a token ({@link Options#bearerToken}), each handshake carries {@code Authorization:
 * Bearer TOKEN}. A node that refuses it (401, 403) stops the shipper: {@link #send}, {@link
 * #sendNdjson} and {@link #awaitAcked} throw {@link TokenRefusedException} from then on, as every
 * node of the cluster knows the same tokens and retrying cannot help.
 */
public final class StreamShipper implements AutoCloseable {

  /**
   * How the shipper behaves. {@code epoch} separates this run's seqs from earlier runs'. A node is
   * {@code HOST:PORT} (plain WebSocket), {@code ws://HOST:PORT} or {@code wss://HOST:PORT} (TLS,
   * trusted by {@code ssl}, or by the JVM's CAs when null); {@code http(s)://} reads as {@code
   * ws(s)://}.
   */
  public record Options(
      List<String> nodes,
      String agentId,
      long epoch,
      String service,
      int maxUnacked,
      Duration reconnectBackoff,
      Consumer<String> log,
      java.util.function.LongConsumer onAck,
      Encoding encoding,
      String bearerToken,
      SSLContext ssl) {
    /** With the JVM's default TLS trust. */
    public Options(
        List<String> nodes,
        String agentId,
        long epoch,
        String service,
        int maxUnacked,
        Duration reconnectBackoff,
        Consumer<String> log,
        java.util.function.LongConsumer onAck,
        Encoding encoding,
        String bearerToken) {
      this(
          nodes,
          agentId,
          epoch,
          service,
          maxUnacked,
          reconnectBackoff,
          log,
          onAck,
          encoding,
          bearerToken,
          null);
    }

    /** Without a token. */
    public Options(
        List<String> nodes,
        String agentId,
        long epoch,
        String service,
        int maxUnacked,
        Duration reconnectBackoff,
        Consumer<String> log,
        java.util.function.LongConsumer onAck,
        Encoding encoding) {
      this(
          nodes, agentId, epoch, service, maxUnacked, reconnectBackoff, log, onAck, encoding, null);
    }

    public Options(
        List<String> nodes,
        String agentId,
        long epoch,
        String service,
        int maxUnacked,
        Duration reconnectBackoff,
        Consumer<String> log) {
      this(
          nodes,
          agentId,
          epoch,
          service,
          maxUnacked,
          reconnectBackoff,
          log,
          seq -> {},
          Encoding.BINARY);
    }

    public Options {
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("at least one node address is needed");
      }
      if (maxUnacked < 1) {
        throw new IllegalArgumentException("maxUnacked must be at least 1");
      }
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * The stream's base URL for a node address ({@link Options}): {@code ws://} or {@code wss://},
   * without a trailing slash.
   */
  public static String baseUrl(String node) {
    String n = node.trim();
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    String lower = n.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("ws://") || lower.startsWith("wss://")) {
      return n;
    }
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      return "ws" + n.substring(4);
    }
    return "ws://" + n;
  }

  private final Options options;
  private final HttpClient http;

  /** How batches travel: text frames, or binary {@link BatchFrame}s, plain or gzip-compressed. */
  public enum Encoding {
    TEXT,
    BINARY,
    BINARY_GZIP
  }

  // seq -> the batch's NDJSON bytes; framed when sent, so a resend can go to any node
  private final ConcurrentSkipListMap<Long, byte[]> unacked = new ConcurrentSkipListMap<>();
  private final Object lock = new Object();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong future = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong late = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  // guards sending: socket, sentUpTo, nodeIndex; never held while waiting for acks
  private final java.util.concurrent.locks.ReentrantLock sendLock =
      new java.util.concurrent.locks.ReentrantLock();
  private final AtomicLong ackedSeq = new AtomicLong();
  private long nextSeq = 1; // guarded by lock
  private int nodeIndex;
  private WebSocket socket;
  private volatile long sentUpTo; // highest seq sent on the current socket
  private volatile boolean broken;
  private volatile boolean closed;
  private volatile TokenRefusedException refused;

  public StreamShipper(Options options) {
    this.options = options;
    HttpClient.Builder builder = HttpClient.newBuilder();
    if (options.ssl() != null) {
      builder.sslContext(options.ssl());
    }
    this.http = builder.build();
  }

  /**
   * Makes the next batch {@code seq} (before anything is sent): an agent that resumes an epoch
   * after a restart continues its numbering, and re-sends its unacked batches with their seqs.
   */
  public void startAt(long seq) {
    synchronized (lock) {
      if (nextSeq != 1 || !unacked.isEmpty()) {
        throw new IllegalStateException("startAt must come before the first batch");
      }
      nextSeq = seq;
      ackedSeq.set(seq - 1);
      sentUpTo = seq - 1;
    }
  }

  /** Queues one batch and sends it; blocks while the unacked buffer is full. Returns its seq. */
  public long send(List<CaptureRecord> records) throws InterruptedException {
    return sendNdjson(ndjson(records));
  }

  /**
   * Queues one batch of NDJSON capture lines as they are (the node validates them; bad lines come
   * back as rejected counts in the acks). Blocks while the unacked buffer is full.
   */
  public long sendNdjson(byte[] ndjson) throws InterruptedException {
    long seq;
    while (true) {
      throwIfRefused();
      synchronized (lock) {
        if (unacked.size() < options.maxUnacked() || closed) {
          seq = nextSeq++;
          unacked.put(seq, ndjson);
          break;
        }
        lock.wait(200);
      }
      pump(); // reconnects and resends if the connection broke while we waited
    }
    pump();
    throwIfRefused();
    return seq;
  }

  /** Why the node refused this shipper's token, once it has. */
  public java.util.Optional<TokenRefusedException> refused() {
    return java.util.Optional.ofNullable(refused);
  }

  private void throwIfRefused() {
    TokenRefusedException e = refused;
    if (e != null) {
      throw new TokenRefusedException(e); // this caller's stack, the first refusal's message
    }
  }

  /** Waits until every batch sent so far is acked; false on timeout. */
  public boolean awaitAcked(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!unacked.isEmpty()) {
      throwIfRefused();
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      synchronized (lock) {
        lock.wait(Math.min(200, TimeUnit.NANOSECONDS.toMillis(left) + 1));
      }
      pump();
    }
    return true;
  }

  public int unackedBatches() {
    return unacked.size();
  }

  /** The highest seq written to the current connection (acked or not). */
  public long sentSeq() {
    return sentUpTo;
  }

  public long ackedSeq() {
    return ackedSeq.get();
  }

  /**
   * Records the cluster counted / dropped as replays / refused as invalid / found too late / found
   * dated too far ahead of its clock, and how often the agent reconnected. {@code counted} is what
   * the cluster holds of this agent's records: the accepted ones and the duplicates, since this
   * agent sends a batch again only when its ack was lost (a node died, a connection broke after the
   * write), so every duplicate it is told of was counted by that earlier write.
   */
  public Map<String, Long> totals() {
    return Map.of(
        "counted",
        accepted.get() + duplicates.get(),
        "accepted",
        accepted.get(),
        "duplicates",
        duplicates.get(),
        "rejected",
        rejected.get(),
        "late",
        late.get(),
        "future",
        future.get(),
        "reconnects",
        reconnects.get());
  }

  @Override
  public void close() {
    closed = true;
    sendLock.lock();
    try {
      if (socket != null) {
        socket.abort();
      }
    } finally {
      sendLock.unlock();
    }
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /**
   * Connects if needed (failing over along the node list) and sends, in seq order, every unacked
   * batch the current connection has not carried yet.
   */
  private void pump() {
    if (closed) {
      return;
    }
    sendLock.lock();
    try {
      if (broken || socket == null || socket.isOutputClosed() || socket.isInputClosed()) {
        if (socket != null) {
          socket.abort();
          nodeIndex++; // fail over to the next node
        }
        socket = null;
        broken = false;
        connect();
        if (socket == null) {
          return;
        }
      }
      for (Map.Entry<Long, byte[]> e : unacked.tailMap(sentUpTo, false).entrySet()) {
        try {
          long seq = e.getKey();
          byte[] ndjson = e.getValue();
          (switch (options.encoding()) {
                case TEXT ->
                    socket.sendText(
                        "{\"seq\":" + seq + "}\n" + new String(ndjson, StandardCharsets.UTF_8),
                        true);
                case BINARY ->
                    socket.sendBinary(
                        ByteBuffer.wrap(BatchFrame.encode(seq, ndjson, 0, ndjson.length, false)),
                        true);
                case BINARY_GZIP ->
                    socket.sendBinary(
                        ByteBuffer.wrap(BatchFrame.encode(seq, ndjson, 0, ndjson.length, true)),
                        true);
              })
              .get(
                  2,
                  TimeUnit
                      .MINUTES); // a node that persists slowly stops reading: wait, do not churn
          sentUpTo = e.getKey();
        } catch (Exception failure) {
          options.log().accept("send of batch " + e.getKey() + " failed: " + rootMessage(failure));
          broken = true;
          return;
        }
      }
    } finally {
      sendLock.unlock();
    }
  }

  private void connect() {
    String node = options.nodes().get(nodeIndex % options.nodes().size());
    final URI uri =
        URI.create(
            baseUrl(node)
                + "/api/v1/ingest/stream?agent="
                + URLEncoder.encode(options.agentId(), StandardCharsets.UTF_8)
                + "&epoch="
                + options.epoch()
                + (options.service() == null
                    ? ""
                    : "&service=" + URLEncoder.encode(options.service(), StandardCharsets.UTF_8)));
    try {
      WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
      if (options.bearerToken() != null) {
        builder.header("Authorization", "Bearer " + options.bearerToken());
      }
      socket = builder.buildAsync(uri, new WholeMessages(new Replies())).get(10, TimeUnit.SECONDS);
      long sentBefore = sentUpTo;
      sentUpTo = ackedSeq.get(); // a new connection starts from the oldest unacked batch
      boolean resending = !unacked.isEmpty() && unacked.firstKey() <= sentBefore;
      options
          .log()
          .accept(
              "connected to "
                  + node
                  + (resending
                      ? "; sending "
                          + unacked.size()
                          + " unacked batch(es) again from seq "
                          + unacked.firstKey()
                      : ""));
    } catch (Exception e) {
      int status = handshakeStatus(e);
      if (TokenRefusedException.refuses(status)) {
        refused = new TokenRefusedException(status, "the handshake of " + uri, handshakeBody(e));
        options.log().accept(refused.getMessage());
        closed = true;
        synchronized (lock) {
          lock.notifyAll();
        }
        return;
      }
      options
          .log()
          .accept(
              "cannot reach "
                  + node
                  + ": "
                  + TrustedCertificates.refusedCertificate(e).orElseGet(() -> rootMessage(e)));
      nodeIndex++;
      try {
        Thread.sleep(options.reconnectBackoff().toMillis());
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The HTTP status a failed WebSocket handshake was answered with, or -1. */
  private static int handshakeStatus(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.http.WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
    }
    return -1;
  }

  private static String handshakeBody(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.http.WebSocketHandshakeException h) {
        Object body = h.getResponse().body();
        if (body instanceof byte[] bytes) {
          return new String(bytes, StandardCharsets.UTF_8);
        }
        return body instanceof String text ? text : "";
      }
    }
    return "";
  }

  private void onAck(String json) {
    StreamReply reply;
    try {
      reply = StreamReply.parse(json);
    } catch (UncheckedIOException e) {
      options.log().accept("ignoring a message the node sent: " + e.getMessage());
      return;
    }
    if (reply instanceof StreamReply.Error error) {
      options.log().accept("node refused the stream (" + error.code() + "): " + error.error());
      return;
    }
    StreamReply.Ack ack = (StreamReply.Ack) reply;
    long seq = ack.seq();
    accepted.addAndGet(ack.accepted());
    duplicates.addAndGet(ack.duplicates());
    rejected.addAndGet(ack.rejected());
    late.addAndGet(ack.late());
    future.addAndGet(ack.future());
    ackedSeq.accumulateAndGet(seq, Math::max);
    unacked.headMap(seq, true).clear();
    options.onAck().accept(seq);
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private void onDisconnect(String why) {
    if (closed || broken) {
      return;
    }
    options.log().accept("connection lost (" + why + "); failing over to the next node");
    broken = true;
    reconnects.incrementAndGet();
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** What the node sends on the current connection: acks and errors, then its end. */
  private final class Replies implements WholeMessages.Receiver {
    @Override
    public void text(String message) {
      onAck(message);
    }

    @Override
    public void closed(int statusCode, String reason) {
      onDisconnect("closed " + statusCode + (reason.isEmpty() ? "" : " " + reason));
    }

    @Override
    public void failed(Throwable error) {
      onDisconnect(rootMessage(error));
    }
  }

  private static byte[] ndjson(List<CaptureRecord> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(records.size() * 220);
    try {
      CaptureCodec.encodeAll(records, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.toString();
  }

  /** Splits records into batches of {@code size}. */
  public static List<List<CaptureRecord>> batches(List<CaptureRecord> records, int size) {
    List<List<CaptureRecord>> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i += size) {
      out.add(records.subList(i, Math.min(records.size(), i + size)));
    }
    return out;
  }
}
