package io.autoglm.monitor.node.ws;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Joins the frames of one connection into whole messages (RFC 6455 5.4), unmasking client data as
 * it copies (5.3) and discarding a message that grows past the limit; control frames (5.5) may come
 * between a message's fragments and are refused when longer than 125 bytes or fragmented. It knows
 * nothing of Pekko's frame types: {@link RawWebSocket} hands it each frame's header and data as
 * they arrive, a frame's data possibly in several parts. One instance per connection, called by one
 * stream stage.
 */
final class MessageAssembler {
  static final byte CONTINUATION = 0;
  static final byte TEXT = 1;
  static final byte BINARY = 2;
  static final byte CLOSE = 8;
  static final byte PING = 9;
  static final byte PONG = 10;

  /** RFC 6455 5.5: a control frame carries at most 125 bytes and is never fragmented. */
  static final int MAX_CONTROL_PAYLOAD = 125;

  private final int maxMessageBytes;
  private byte messageOpcode = -1; // TEXT or BINARY while a message is open
  private byte frameOpcode;
  private boolean frameFin;
  private int mask;
  private boolean masked;
  private long maskOffset;
  // the size of the oversized message being dropped, until it is told; -1: none
  private long tooBig = -1;

  /** How many times the limit a message may be and still be read through before it is refused. */
  static final long DRAINED_AT_MOST = 4;

  /**
   * A message in one frame up to this size gets an array of exactly its size when its header
   * arrives, which is handed over without a copy (an agent's batch is about 1 MB); a bigger or
   * fragmented one grows a buffer as its data arrives, so a header alone never allocates more.
   */
  private static final int EXACT_BUFFER_MAX = 4 << 20;

  private static final byte[] NO_BYTES = new byte[0];
  private byte[] buffer = NO_BYTES;
  private int size;
  private boolean discarding;
  // control frames may come between the fragments of a message: they have a buffer of their own
  private final byte[] control = new byte[MAX_CONTROL_PAYLOAD];
  private int controlSize;
  private boolean controlRefused;

  MessageAssembler(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * A frame begins: its header, and the first part of its data ({@code lastPart}: all of it).
   * {@code mask} counts only when {@code masked}.
   */
  List<RawWebSocket.Inbound> frameStart(
      byte opcode,
      boolean fin,
      boolean masked,
      int mask,
      long length,
      ByteString data,
      boolean lastPart) {
    List<RawWebSocket.Inbound> out = new ArrayList<>(1);
    frameOpcode = opcode;
    frameFin = fin;
    this.masked = masked;
    this.mask = masked ? mask : 0;
    maskOffset = 0;
    if (isControl(opcode)) {
      controlSize = 0;
      controlRefused = length > MAX_CONTROL_PAYLOAD || !fin;
      if (controlRefused) {
        out.add(
            new RawWebSocket.Invalid(
                "a control frame (opcode "
                    + opcode
                    + ") must be unfragmented and at most "
                    + MAX_CONTROL_PAYLOAD
                    + " bytes, got "
                    + length
                    + " bytes"
                    + (fin ? "" : " and no FIN bit")));
      }
    } else {
      if (opcode == TEXT || opcode == BINARY) {
        messageOpcode = opcode;
        size = 0;
        discarding = false;
        if (fin
            && length <= Math.min(EXACT_BUFFER_MAX, maxMessageBytes)
            && length != buffer.length) {
          // a message in one frame whose size is known: its own array, handed over whole
          buffer = new byte[(int) length];
        }
      }
      if (size + length > maxMessageBytes && !discarding) {
        discarding = true;
        tooBig = size + length;
        // told once the message is read through, so the Close that answers it does not reset a
        // client still writing it (which then saw "Broken pipe", not the close code); a message
        // far over the limit is told at once, not read for as long as its sender likes
        if (tooBig > DRAINED_AT_MOST * maxMessageBytes) {
          out.add(new RawWebSocket.TooBig(tooBig));
          tooBig = -1;
        }
      }
    }
    append(data, lastPart, out);
    return out;
  }

  /** More data of the current frame. */
  List<RawWebSocket.Inbound> frameData(ByteString data, boolean lastPart) {
    List<RawWebSocket.Inbound> out = new ArrayList<>(1);
    append(data, lastPart, out);
    return out;
  }

  private void append(ByteString chunk, boolean lastPart, List<RawWebSocket.Inbound> out) {
    if (isControl(frameOpcode)) {
      appendControl(chunk, lastPart, out);
      return;
    }
    int n = chunk.size();
    if (!discarding) {
      ensure(size + n);
      chunk.copyToArray(buffer, size, n);
      if (masked) {
        unmask(buffer, size, n, mask, maskOffset);
      }
      size += n;
    }
    maskOffset += n;
    if (lastPart && frameFin) {
      if (discarding && tooBig >= 0) {
        out.add(new RawWebSocket.TooBig(tooBig));
        tooBig = -1;
      }
      if (!discarding) {
        byte[] message;
        if (size == buffer.length) {
          message = buffer; // handed over: the next message gets an array of its own
          buffer = NO_BYTES;
        } else {
          message = Arrays.copyOf(buffer, size);
        }
        out.add(new RawWebSocket.Data(messageOpcode == TEXT, message));
      }
      size = 0;
    }
  }

  private void appendControl(ByteString chunk, boolean lastPart, List<RawWebSocket.Inbound> out) {
    int n = chunk.size();
    if (!controlRefused) {
      chunk.copyToArray(control, controlSize, n);
      if (masked) {
        unmask(control, controlSize, n, mask, maskOffset);
      }
      controlSize += n;
    }
    maskOffset += n;
    if (!lastPart || controlRefused) {
      return;
    }
    if (frameOpcode == PING) {
      out.add(new RawWebSocket.Ping(ByteString.fromArray(control, 0, controlSize)));
    } else if (frameOpcode == CLOSE) {
      out.add(RawWebSocket.PeerClose.INSTANCE);
    } // a pong answers nothing
  }

  private void ensure(int capacity) {
    if (buffer.length < capacity) {
      buffer = Arrays.copyOf(buffer, Math.max(capacity, buffer.length * 2));
    }
  }

  private static boolean isControl(byte opcode) {
    return opcode == CLOSE || opcode == PING || opcode == PONG;
  }

  /**
   * XORs {@code len} bytes at {@code off} with the 4-byte masking key, starting {@code keyOffset}
   * bytes into the frame's payload; eight bytes a step (Pekko's own unmasking goes byte by byte and
   * was the largest single cost of the ingest path).
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
}
