package io.autoglm.monitor.node.ws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Frames to whole messages, without a socket: fragmented messages, frames whose data arrives in
 * several parts (as TCP splits it), masking at any offset, control frames between fragments, the
 * size limit and control frames no client may send.
 */
class MessageAssemblerTest {
  private final Random random = new Random(3);

  /** RFC 6455 5.3: byte i of the payload is XORed with byte (i mod 4) of the key. */
  private static void naiveUnmask(byte[] data, int off, int len, int key, long keyOffset) {
    for (int i = 0; i < len; i++) {
      int k = (int) ((keyOffset + i) & 3);
      data[off + i] ^= (byte) (key >>> (24 - 8 * k));
    }
  }

  /** A frame as a client sends it: masked with a random key. */
  private record Frame(byte opcode, boolean fin, int mask, byte[] masked) {}

  private Frame clientFrame(byte opcode, boolean fin, byte[] payload) {
    int mask = random.nextInt();
    byte[] masked = payload.clone();
    naiveUnmask(masked, 0, masked.length, mask, 0); // masking and unmasking are the same XOR
    return new Frame(opcode, fin, mask, masked);
  }

  /** Feeds {@code frame} in random parts, as the framing layer hands it over. */
  private List<RawWebSocket.Inbound> feed(MessageAssembler assembler, Frame frame) {
    List<RawWebSocket.Inbound> out = new ArrayList<>();
    byte[] data = frame.masked();
    int first = data.length == 0 ? 0 : random.nextInt(data.length + 1);
    out.addAll(
        assembler.frameStart(
            frame.opcode(),
            frame.fin(),
            true,
            frame.mask(),
            data.length,
            ByteString.fromArray(data, 0, first),
            first == data.length));
    int at = first;
    while (at < data.length) {
      int part = 1 + random.nextInt(data.length - at);
      out.addAll(
          assembler.frameData(ByteString.fromArray(data, at, part), at + part == data.length));
      at += part;
    }
    return out;
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Test
  void messagesHandedOverStayIntactWhileLaterOnesArrive() {
    MessageAssembler assembler = new MessageAssembler(1 << 20);
    List<byte[]> sent = new ArrayList<>();
    List<RawWebSocket.Inbound> received = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      // single-frame messages (their own array) of equal and different sizes, and fragmented ones
      byte[] payload = randomBytes(i % 3 == 0 ? 1000 : 1 + random.nextInt(3000));
      sent.add(payload.clone());
      if (i % 5 == 4) {
        int cut = payload.length / 2;
        received.addAll(
            feed(
                assembler,
                clientFrame(
                    MessageAssembler.BINARY,
                    false,
                    java.util.Arrays.copyOfRange(payload, 0, cut))));
        received.addAll(
            feed(
                assembler,
                clientFrame(
                    MessageAssembler.CONTINUATION,
                    true,
                    java.util.Arrays.copyOfRange(payload, cut, payload.length))));
      } else {
        received.addAll(feed(assembler, clientFrame(MessageAssembler.BINARY, true, payload)));
      }
    }
    assertEquals(sent.size(), received.size());
    for (int i = 0; i < sent.size(); i++) {
      RawWebSocket.Data data = assertInstanceOf(RawWebSocket.Data.class, received.get(i));
      assertArrayEquals(sent.get(i), data.payload(), "message " + i);
    }
  }

  @Test
  void unmasksLikeTheRfcForAnyOffsetAndLength() {
    for (int round = 0; round < 2000; round++) {
      byte[] data = randomBytes(random.nextInt(64) + 1);
      int off = random.nextInt(data.length);
      int len = random.nextInt(data.length - off + 1);
      int key = random.nextInt();
      long keyOffset = random.nextInt(1000);
      byte[] expected = data.clone();
      naiveUnmask(expected, off, len, key, keyOffset);
      MessageAssembler.unmask(data, off, len, key, keyOffset);
      assertArrayEquals(expected, data, "off " + off + " len " + len + " keyOffset " + keyOffset);
    }
  }

  @Test
  void fragmentedMessagesInAnyPartsAreWholeAndUnmasked() {
    MessageAssembler assembler = new MessageAssembler(1 << 20);
    for (int round = 0; round < 200; round++) {
      boolean text = random.nextBoolean();
      byte[] message = randomBytes(random.nextInt(5000));
      int fragments = 1 + random.nextInt(4);
      List<RawWebSocket.Inbound> out = new ArrayList<>();
      int at = 0;
      for (int f = 0; f < fragments; f++) {
        boolean fin = f == fragments - 1;
        int end = fin ? message.length : at + random.nextInt(message.length - at + 1);
        byte opcode =
            f == 0
                ? (text ? MessageAssembler.TEXT : MessageAssembler.BINARY)
                : MessageAssembler.CONTINUATION;
        out.addAll(
            feed(
                assembler,
                clientFrame(opcode, fin, java.util.Arrays.copyOfRange(message, at, end))));
        at = end;
      }
      assertEquals(1, out.size(), "one message, round " + round);
      RawWebSocket.Data data = assertInstanceOf(RawWebSocket.Data.class, out.get(0));
      assertEquals(text, data.text());
      assertArrayEquals(message, data.payload(), "round " + round);
    }
  }

  @Test
  void aPingBetweenFragmentsIsAnsweredAndTheMessageStaysWhole() {
    MessageAssembler assembler = new MessageAssembler(1 << 20);
    List<RawWebSocket.Inbound> out = new ArrayList<>();
    out.addAll(
        feed(assembler, clientFrame(MessageAssembler.TEXT, false, "hello ".getBytes(UTF_8))));
    out.addAll(feed(assembler, clientFrame(MessageAssembler.PING, true, "ping".getBytes(UTF_8))));
    out.addAll(
        feed(assembler, clientFrame(MessageAssembler.PONG, true, "ignored".getBytes(UTF_8))));
    out.addAll(
        feed(assembler, clientFrame(MessageAssembler.CONTINUATION, true, "world".getBytes(UTF_8))));
    assertEquals(2, out.size(), out.toString());
    assertEquals(
        "ping",
        assertInstanceOf(RawWebSocket.Ping.class, out.get(0)).payload().utf8String(),
        "the ping's payload, unmasked");
    assertEquals(
        "hello world",
        new String(assertInstanceOf(RawWebSocket.Data.class, out.get(1)).payload(), UTF_8));
  }

  @Test
  void aControlFrameLongerThan125BytesOrFragmentedIsInvalidAndNotKept() {
    MessageAssembler assembler = new MessageAssembler(1 << 20);
    List<RawWebSocket.Inbound> longPing =
        feed(assembler, clientFrame(MessageAssembler.PING, true, randomBytes(126)));
    assertEquals(1, longPing.size(), longPing.toString());
    assertTrue(
        assertInstanceOf(RawWebSocket.Invalid.class, longPing.get(0))
            .reason()
            .contains("got 126 bytes"));
    List<RawWebSocket.Inbound> fragmented =
        feed(assembler, clientFrame(MessageAssembler.CLOSE, false, new byte[] {3, (byte) 232}));
    assertEquals(1, fragmented.size(), fragmented.toString());
    assertInstanceOf(RawWebSocket.Invalid.class, fragmented.get(0));

    // refused at its header, before any of its data is read, and none of that data is kept
    List<RawWebSocket.Inbound> huge =
        assembler.frameStart(
            MessageAssembler.PING, true, true, 7, 1L << 40, ByteString.emptyByteString(), false);
    assertInstanceOf(RawWebSocket.Invalid.class, huge.get(0));
    assertEquals(List.of(), assembler.frameData(ByteString.fromArray(new byte[100_000]), false));
  }

  @Test
  void aCloseFrameIsAPeerClose() {
    MessageAssembler assembler = new MessageAssembler(100);
    assertEquals(
        List.of(RawWebSocket.PeerClose.INSTANCE),
        feed(assembler, clientFrame(MessageAssembler.CLOSE, true, new byte[] {3, (byte) 232})));
  }

  @Test
  void aMessagePastTheLimitIsReportedOnceAndDiscardedThenTheNextOneCounts() {
    MessageAssembler assembler = new MessageAssembler(100);
    List<RawWebSocket.Inbound> out = new ArrayList<>();
    out.addAll(feed(assembler, clientFrame(MessageAssembler.BINARY, false, randomBytes(60))));
    out.addAll(feed(assembler, clientFrame(MessageAssembler.CONTINUATION, false, randomBytes(60))));
    assertEquals(
        List.of(), out, "not yet: the client is still writing it, and a Close now would reset it");
    out.addAll(feed(assembler, clientFrame(MessageAssembler.CONTINUATION, true, randomBytes(60))));
    assertEquals(
        List.of(new RawWebSocket.TooBig(120)),
        out,
        "reported once read through, with the size at which the limit was passed");
    byte[] exactly = randomBytes(100);
    List<RawWebSocket.Inbound> next =
        feed(assembler, clientFrame(MessageAssembler.TEXT, true, exactly));
    assertEquals(1, next.size(), next.toString());
    assertArrayEquals(exactly, assertInstanceOf(RawWebSocket.Data.class, next.get(0)).payload());
    assertTrue(
        feed(assembler, clientFrame(MessageAssembler.TEXT, true, randomBytes(101))).get(0)
            instanceof RawWebSocket.TooBig);
  }

  @Test
  void aMessageFarPastTheLimitIsReportedAtOnceNotReadThrough() {
    MessageAssembler assembler = new MessageAssembler(100);
    // 401 bytes, over 4 times the limit: told at the frame's start, before its data is read
    List<RawWebSocket.Inbound> out =
        feed(assembler, clientFrame(MessageAssembler.BINARY, false, randomBytes(401)));
    assertEquals(List.of(new RawWebSocket.TooBig(401)), out);
    assertEquals(
        List.of(),
        feed(assembler, clientFrame(MessageAssembler.CONTINUATION, true, randomBytes(10))),
        "told once");
  }
}
