package io.autoglm.monitor.node.ingest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.http.impl.engine.ws.FrameData;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameHeader;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.Protocol$Opcode$Pong$;
import org.apache.pekko.http.impl.engine.ws.Protocol$Opcode$Text$;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * The agent stream at the level of WebSocket frames (RFC 6455), below Pekko HTTP's message API, for
 * two things that API does not give: closing with a chosen status code (1009 for an oversized
 * frame) and unmasking client frames eight bytes at a time (Pekko's own unmasking goes byte by byte
 * and was the largest single cost of the ingest path). Control frames are answered here: a ping
 * with a pong, a close with a close.
 *
 * <p>Pekko's frame types are internal API ({@code org.apache.pekko.http.impl.engine.ws}); this
 * class is the one place that touches them.
 */
final class WebSocketFrames {
  private static final byte CONTINUATION = 0;
  private static final byte TEXT = 1;
  private static final byte BINARY = 2;
  private static final byte CLOSE = 8;
  private static final byte PING = 9;
  private static final byte PONG = 10;

  static final int CLOSE_NORMAL = 1000;
  static final int CLOSE_PROTOCOL_ERROR = 1002;
  static final int CLOSE_TOO_BIG = 1009;

  private WebSocketFrames() {}

  /** What the client sent, once whole. */
  sealed interface Inbound {}

  /** A complete data message (text or binary), unmasked. */
  record Data(boolean text, byte[] payload) implements Inbound {}

  record Ping(ByteString payload) implements Inbound {}

  /** The client closes. */
  record PeerClose() implements Inbound {}

  /** A message larger than the limit; what was sent of it is discarded. */
  record TooBig(long bytes) implements Inbound {}

  /** Reassembles messages from frames; one instance per connection. */
  static final class Assembler implements Function<FrameEvent, Iterable<Inbound>> {
    private final int maxMessageBytes;
    private byte messageOpcode = -1; // TEXT or BINARY while a message is open
    private byte frameOpcode;
    private boolean frameFin;
    private int mask;
    private boolean masked;
    private long maskOffset;
    private byte[] buffer = new byte[0];
    private int size;
    private boolean discarding;

    Assembler(int maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public Iterable<Inbound> apply(FrameEvent event) {
      List<Inbound> out = new ArrayList<>(1);
      if (event instanceof FrameStart start) {
        FrameHeader h = start.header();
        frameOpcode = h.opcode().code();
        frameFin = h.fin();
        Option<Object> m = h.mask();
        masked = m.isDefined();
        mask = masked ? (Integer) m.get() : 0;
        maskOffset = 0;
        if (frameOpcode == TEXT || frameOpcode == BINARY) {
          messageOpcode = frameOpcode;
          size = 0;
          discarding = false;
        }
        if (!isControl(frameOpcode) && size + h.length() > maxMessageBytes && !discarding) {
          discarding = true;
          out.add(new TooBig(size + h.length()));
        }
        append(start.data(), start.lastPart(), out);
      } else if (event instanceof FrameData data) {
        append(data.data(), data.lastPart(), out);
      }
      return out;
    }

    private void append(ByteString chunk, boolean lastPart, List<Inbound> out) {
      if (!discarding || isControl(frameOpcode)) {
        ensure(size + chunk.size());
        chunk.copyToArray(buffer, size, chunk.size());
        if (masked) {
          unmask(buffer, size, chunk.size(), mask, maskOffset);
        }
        size += chunk.size();
      }
      maskOffset += chunk.size();
      if (!lastPart) {
        return;
      }
      switch (frameOpcode) {
        case PING -> out.add(new Ping(ByteString.fromArray(buffer, 0, size)));
        case CLOSE -> out.add(new PeerClose());
        case PONG -> {}
        default -> {
          if (frameFin && !discarding) {
            out.add(new Data(messageOpcode == TEXT, java.util.Arrays.copyOf(buffer, size)));
          }
        }
      }
      if (isControl(frameOpcode) || frameFin) {
        size = 0;
      }
    }

    private void ensure(int capacity) {
      if (buffer.length < capacity) {
        buffer = java.util.Arrays.copyOf(buffer, Math.max(capacity, buffer.length * 2));
      }
    }
  }

  private static boolean isControl(byte opcode) {
    return opcode == CLOSE || opcode == PING || opcode == PONG;
  }

  /**
   * XORs {@code len} bytes at {@code off} with the 4-byte masking key, starting {@code keyOffset}
   * bytes into the frame's payload; eight bytes a step.
   */
  static void unmask(byte[] data, int off, int len, int key, long keyOffset) {
    int rotated = Integer.rotateLeft(key, (int) (keyOffset & 3) * 8);
    long key8 = ((long) rotated << 32) | (rotated & 0xffffffffL);
    ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      buf.putLong(i, buf.getLong(i) ^ key8);
    }
    for (int k = 0; i < end; i++, k++) {
      data[i] ^= (byte) (rotated >>> (24 - 8 * (k & 3)));
    }
  }

  static FrameEvent text(String json) {
    return FrameEvent$.MODULE$.fullFrame(
        Protocol$Opcode$Text$.MODULE$,
        Option.empty(),
        ByteString.fromString(json),
        true,
        false,
        false,
        false);
  }

  static FrameEvent pong(ByteString payload) {
    return FrameEvent$.MODULE$.fullFrame(
        Protocol$Opcode$Pong$.MODULE$, Option.empty(), payload, true, false, false, false);
  }

  /** A close frame; the reason is cut to the 123 bytes a close frame can carry. */
  static FrameEvent close(int code, String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    String cut =
        bytes.length <= 123 ? reason : new String(bytes, 0, 120, StandardCharsets.UTF_8) + "...";
    while (cut.getBytes(StandardCharsets.UTF_8).length > 123) {
      cut = cut.substring(0, cut.length() - 4) + "...";
    }
    return FrameEvent$.MODULE$.closeFrame(code, cut, Option.empty());
  }
}
