package io.autoglm.monitor.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.wire.WholeMessages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JDK WebSocket client for tests: connects with any headers, sends text, binary (whole or as
 * fragments) and pings, and receives whole messages, pongs and the server's close code and reason,
 * each within {@link #TIMEOUT}. Handshake failures surface as the JDK reports them (an {@link
 * ExecutionException} with a {@code WebSocketHandshakeException} cause).
 */
public final class TestWebSocket implements AutoCloseable {
  /** How long any step waits. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A whole message from the server. */
  public record Message(boolean text, byte[] data) {
    public String asText() {
      return new String(data, UTF_8);
    }

    public JsonNode json() {
      try {
        return TestHttp.MAPPER.readTree(data);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + asText(), e);
      }
    }
  }

  /** How the server closed the connection. */
  public record Closed(int code, String reason) {}

  private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
  private final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final WebSocket socket;

  private TestWebSocket(URI uri, String... headers) throws Exception {
    WebSocket.Builder builder = CLIENT.newWebSocketBuilder();
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i + 1] != null) {
        builder.header(headers[i], headers[i + 1]);
      }
    }
    socket =
        builder
            .buildAsync(uri, new WholeMessages(new Receiver()))
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Opens a WebSocket to {@code pathAndQuery} of the server at {@code httpBaseUrl} (e.g. {@code
   * http://127.0.0.1:8080}), with the given headers (name, value, ...; a null value sends none).
   */
  public static TestWebSocket connect(String httpBaseUrl, String pathAndQuery, String... headers)
      throws Exception {
    return new TestWebSocket(
        URI.create(httpBaseUrl.replaceFirst("^http", "ws") + pathAndQuery), headers);
  }

  /** The JDK socket, for what this class does not wrap. */
  public WebSocket socket() {
    return socket;
  }

  public void sendText(String message) throws Exception {
    sendText(message, true);
  }

  /** Sends a part of a text message; {@code last} ends it. */
  public void sendText(String part, boolean last) throws Exception {
    socket.sendText(part, last).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  public void sendBinary(byte[] message) throws Exception {
    sendBinary(message, true);
  }

  /** Sends a part of a binary message; {@code last} ends it. */
  public void sendBinary(byte[] part, boolean last) throws Exception {
    socket.sendBinary(ByteBuffer.wrap(part), last).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Sends a whole message the other side may refuse before it has read all of it (one over its size
   * limit): the close that cuts the sending short is not an error here, the caller asserts it with
   * {@link #closed()}.
   *
   * @return whether all of it was sent
   */
  public boolean sendMaybeCutShort(ByteBuffer message, boolean text) throws Exception {
    try {
      if (text) {
        socket.sendText(UTF_8.decode(message), true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } else {
        socket.sendBinary(message, true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
      return true;
    } catch (ExecutionException cutShort) {
      if (cutShort.getCause() instanceof IOException) {
        return false; // the other side closed the connection while this one was still writing
      }
      throw cutShort;
    }
  }

  public void sendPing(String payload) throws Exception {
    socket
        .sendPing(ByteBuffer.wrap(payload.getBytes(UTF_8)))
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next whole message; fails the test if none arrives in time. */
  public Message next() throws InterruptedException {
    Message m = messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(m, "expected a message from the server within " + TIMEOUT);
    return m;
  }

  /** The next whole message within {@code wait}, or null: for "and nothing more". */
  public Message poll(Duration wait) throws InterruptedException {
    return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next whole message, read as JSON. */
  public JsonNode nextJson() throws InterruptedException {
    return next().json();
  }

  /** The next pong's payload, as text. */
  public String pong() throws InterruptedException {
    byte[] p = pongs.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(p, "expected a pong within " + TIMEOUT);
    return new String(p, UTF_8);
  }

  /** How the server closed the connection, waiting for it; fails if the connection failed. */
  public Closed closed() throws InterruptedException, ExecutionException, TimeoutException {
    return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  public int closeCode() throws InterruptedException, ExecutionException, TimeoutException {
    return closed().code();
  }

  public String closeReason() throws InterruptedException, ExecutionException, TimeoutException {
    return closed().reason();
  }

  /** Sends a normal close ("bye") unless this side has closed already, and waits until sent. */
  @Override
  public void close() throws Exception {
    if (!socket.isOutputClosed()) {
      socket
          .sendClose(WebSocket.NORMAL_CLOSURE, "bye")
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private final class Receiver implements WholeMessages.Receiver {
    @Override
    public void text(String message) {
      messages.add(new Message(true, message.getBytes(UTF_8)));
    }

    @Override
    public void binary(byte[] message) {
      messages.add(new Message(false, message));
    }

    @Override
    public void pong(byte[] payload) {
      pongs.add(payload);
    }

    @Override
    public void closed(int statusCode, String reason) {
      closed.complete(new Closed(statusCode, reason));
    }

    @Override
    public void failed(Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
