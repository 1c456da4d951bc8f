package io.autoglm.monitor.node.ws;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.impl.engine.ws.FrameData;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameHeader;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.Protocol$Opcode$Pong$;
import org.apache.pekko.http.impl.engine.ws.Protocol$Opcode$Text$;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * A server WebSocket at the level of frames (RFC 6455), below Pekko HTTP's public message API, for
 * two things the agent stream needs and that API does not give: closing with a chosen status code
 * and reason (1009 for an oversized message, 1002 for a protocol error; the message API can only
 * end with 1000 or 1011), and unmasking client frames eight bytes at a time (Pekko's own unmasking
 * goes byte by byte and was the largest single cost of the ingest path). A handler sees whole
 * messages ({@link Inbound}) and answers with {@link Outbound}s; this class turns frames into
 * messages ({@link MessageAssembler}) and answers into frames.
 *
 * <p>At this level Pekko does nothing for the handler: no pong, no close handshake, no keep-alive.
 * The handler answers a {@link Ping} with a {@link Pong} and a {@link PeerClose} with a {@link
 * Close}, and ends its flow after sending a {@code Close}.
 *
 * <p>This class is the one place that uses Pekko HTTP's internal WebSocket API (package {@code
 * org.apache.pekko.http.impl.engine.ws}, marked {@code @InternalApi}: it may change in any
 * release):
 *
 * <ul>
 *   <li>the request's {@code AttributeKeys.webSocketUpgrade} is an {@code
 *       UpgradeToWebSocketLowLevel}, whose {@code handleFrames(Graph, Option)} hands the handler
 *       the frames straight above the framing layer: client frames still masked, control frames
 *       included;
 *   <li>in: {@code FrameStart} ({@code header()}: {@code opcode().code()}, {@code fin()}, {@code
 *       mask()} an {@code Option} of an {@code Integer}, {@code length()}; {@code data()}, {@code
 *       lastPart()}) and {@code FrameData} ({@code data()}, {@code lastPart()});
 *   <li>out: {@code FrameEvent.fullFrame(opcode, mask, data, fin, rsv1, rsv2, rsv3)} with {@code
 *       Protocol.Opcode.Text} and {@code Pong}, and {@code FrameEvent.closeFrame(code, reason,
 *       mask)}.
 * </ul>
 *
 * <p>Checked against Pekko {@value #CHECKED_PEKKO} and Pekko HTTP {@value #CHECKED_PEKKO_HTTP}.
 * {@code RawWebSocketTest} checks the shape of each of these types, runs a real upgrade over a
 * socket, and fails on any other version: after an upgrade, run it, read the changes to that
 * package, then update the two versions here and in the README.
 */
public final class RawWebSocket {
  /** The Pekko version this class was checked against. */
  public static final String CHECKED_PEKKO = "1.2.1";

  /** The Pekko HTTP version this class was checked against. */
  public static final String CHECKED_PEKKO_HTTP = "1.3.0";

  public static final int CLOSE_NORMAL = 1000;
  public static final int CLOSE_PROTOCOL_ERROR = 1002;
  public static final int CLOSE_TOO_BIG = 1009;

  /** The longest close reason a close frame can carry, in UTF-8 bytes. */
  static final int MAX_CLOSE_REASON_BYTES = 123;

  private RawWebSocket() {}

  /** What the client sent, once whole. */
  public sealed interface Inbound {}

  /** A complete data message (text or binary), unmasked. */
  public record Data(boolean text, byte[] payload) implements Inbound {}

  /** A ping: answer with a {@link Pong} of the same payload. */
  public record Ping(ByteString payload) implements Inbound {}

  /** The client closes: answer with a {@link Close} and end. */
  public enum PeerClose implements Inbound {
    INSTANCE
  }

  /** A message larger than the limit ({@code bytes} so far); what was sent of it is discarded. */
  public record TooBig(long bytes) implements Inbound {}

  /**
   * A frame no client may send (a control frame longer than 125 bytes or fragmented); its data is
   * discarded. Answer with a {@link Close} ({@link #CLOSE_PROTOCOL_ERROR}).
   */
  public record Invalid(String reason) implements Inbound {}

  /** What the handler sends. */
  public sealed interface Outbound {}

  /** A text message in one frame. */
  public record Text(String text) implements Outbound {}

  /** The answer to a {@link Ping}. */
  public record Pong(ByteString payload) implements Outbound {}

  /**
   * A close frame; the handler ends its flow after it. The reason is cut to the 123 bytes a close
   * frame can carry.
   */
  public record Close(int code, String reason) implements Outbound {
    public Close {
      if (code < 1000 || code > 4999) {
        throw new IllegalArgumentException("a close code is 1000..4999, got " + code);
      }
      reason = fitted(reason == null ? "" : reason);
    }

    private static String fitted(String reason) {
      byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
      String cut =
          bytes.length <= MAX_CLOSE_REASON_BYTES
              ? reason
              : new String(bytes, 0, MAX_CLOSE_REASON_BYTES - 3, StandardCharsets.UTF_8) + "...";
      while (cut.getBytes(StandardCharsets.UTF_8).length > MAX_CLOSE_REASON_BYTES) {
        cut = cut.substring(0, cut.length() - 4) + "...";
      }
      return cut;
    }
  }

  /**
   * The answer to {@code request} if it is a WebSocket upgrade: 101, with the connection handed to
   * the flow {@code handler} makes (one per connection); messages larger than {@code
   * maxMessageBytes} reach it as {@link TooBig}. Empty if the request is no WebSocket upgrade.
   *
   * @throws IllegalStateException if Pekko HTTP's upgrade is not the internal type this class was
   *     written against (a Pekko HTTP upgrade changed it)
   */
  public static Optional<HttpResponse> upgrade(
      HttpRequest request,
      int maxMessageBytes,
      Supplier<? extends Flow<Inbound, Outbound, ?>> handler) {
    Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
    if (upgrade.isEmpty()) {
      return Optional.empty();
    }
    if (!(upgrade.get() instanceof UpgradeToWebSocketLowLevel lowLevel)) {
      throw new IllegalStateException(
          "Pekko HTTP's WebSocket upgrade is a "
              + upgrade.get().getClass().getName()
              + ", not the UpgradeToWebSocketLowLevel that RawWebSocket was checked against (Pekko"
              + " HTTP "
              + CHECKED_PEKKO_HTTP
              + ")");
    }
    Flow<FrameEvent, FrameEvent, NotUsed> frames =
        Flow.<FrameEvent>create()
            .statefulMapConcat(
                () -> {
                  MessageAssembler assembler = new MessageAssembler(maxMessageBytes);
                  return event -> read(assembler, event);
                })
            .via(handler.get())
            .map(RawWebSocket::frame);
    @SuppressWarnings("unchecked")
    Graph<FlowShape<FrameEvent, FrameEvent>, Object> graph =
        (Graph<FlowShape<FrameEvent, FrameEvent>, Object>) (Graph<?, ?>) frames;
    return Optional.of(lowLevel.handleFrames(graph, Option.empty()));
  }

  /** One frame event (a frame's start or more of its data) to what it completes, if anything. */
  private static Iterable<Inbound> read(MessageAssembler assembler, FrameEvent event) {
    if (event instanceof FrameStart start) {
      FrameHeader h = start.header();
      Option<Object> mask = h.mask();
      boolean masked = mask.isDefined();
      return assembler.frameStart(
          h.opcode().code(),
          h.fin(),
          masked,
          masked ? (Integer) mask.get() : 0,
          h.length(),
          start.data(),
          start.lastPart());
    }
    if (event instanceof FrameData data) {
      return assembler.frameData(data.data(), data.lastPart());
    }
    return List.of();
  }

  /** An answer as one unmasked frame (a server never masks). */
  private static FrameEvent frame(Outbound out) {
    if (out instanceof Text t) {
      return FrameEvent$.MODULE$.fullFrame(
          Protocol$Opcode$Text$.MODULE$,
          Option.empty(),
          ByteString.fromString(t.text()),
          true,
          false,
          false,
          false);
    }
    if (out instanceof Pong p) {
      return FrameEvent$.MODULE$.fullFrame(
          Protocol$Opcode$Pong$.MODULE$, Option.empty(), p.payload(), true, false, false, false);
    }
    Close c = (Close) out;
    return FrameEvent$.MODULE$.closeFrame(c.code(), c.reason(), Option.empty());
  }
}
