package io.autoglm.monitor.protocols.wire;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * A JDK {@link WebSocket.Listener} that passes on whole messages. The JDK hands a text or binary
 * message over in parts (as they arrive or as its buffers fill), so every client would otherwise
 * join them itself. Asks for the next part as soon as a part is taken, as the listeners it replaces
 * did; pings are answered by the JDK. JDK only, for the agent, the tools and tests alike.
 */
public final class WholeMessages implements WebSocket.Listener {
  /**
   * Whole messages and the end of the connection, called on the socket's thread, one call at a
   * time. Only text is required; everything else is ignored unless overridden.
   */
  public interface Receiver {
    void text(String message);

    default void binary(byte[] message) {}

    /** A pong; {@code payload} is a copy. */
    default void pong(byte[] payload) {}

    /** The server closed the connection with this status code and reason. */
    default void closed(int statusCode, String reason) {}

    /** The connection failed (the socket is unusable). */
    default void failed(Throwable error) {}
  }

  private final Receiver receiver;
  // the message being joined; the JDK calls a listener one part at a time
  private final StringBuilder text = new StringBuilder();
  private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

  public WholeMessages(Receiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    text.append(data);
    if (last) {
      String message = text.toString();
      text.setLength(0);
      receiver.text(message);
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
    byte[] part = new byte[data.remaining()];
    data.get(part);
    binary.writeBytes(part);
    if (last) {
      byte[] message = binary.toByteArray();
      binary.reset();
      receiver.binary(message);
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
    byte[] payload = new byte[message.remaining()];
    message.get(payload);
    receiver.pong(payload);
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    receiver.closed(statusCode, reason);
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    receiver.failed(error);
  }
}
