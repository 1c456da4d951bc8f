package io.autoglm.monitor.node.ws;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.node.TestWebSocket;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Option;

/**
 * The adapter over Pekko HTTP's internal WebSocket API: the internal types have the shape it uses,
 * a real upgrade over a real socket (Pekko HTTP on port 0, the JDK's client, which masks its
 * frames) delivers whole messages and sends the close codes asked for, and the versions on the
 * class path are the ones it was checked against. When a Pekko HTTP upgrade breaks any of this,
 * this class says so before anything else does.
 */
class RawWebSocketTest {
  private static final int MAX_MESSAGE_BYTES = 64 * 1024;
  private static final String INTERNAL = "org.apache.pekko.http.impl.engine.ws.";

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "RawWebSocketTest",
          ConfigFactory.parseString("pekko.actor.provider = local")
              .withFallback(ConfigFactory.load()));
  private static ServerBinding binding;
  private static String baseUrl;

  /**
   * Answers each message so the client can check what arrived: {@code "close CODE REASON"} closes
   * with that code and reason, other text comes back as {@code "text ..."}, binary as {@code
   * "binary BASE64"}; a ping gets its pong, a close a normal close, a message past the limit 1009,
   * an invalid frame 1002.
   */
  private static Flow<RawWebSocket.Inbound, RawWebSocket.Outbound, NotUsed> echo() {
    return Flow.<RawWebSocket.Inbound>create()
        .map(RawWebSocketTest::answer)
        .takeWhile(out -> !(out instanceof RawWebSocket.Close), true);
  }

  private static RawWebSocket.Outbound answer(RawWebSocket.Inbound in) {
    if (in instanceof RawWebSocket.Ping ping) {
      return new RawWebSocket.Pong(ping.payload());
    }
    if (in instanceof RawWebSocket.PeerClose) {
      return new RawWebSocket.Close(RawWebSocket.CLOSE_NORMAL, "");
    }
    if (in instanceof RawWebSocket.Invalid invalid) {
      return new RawWebSocket.Close(RawWebSocket.CLOSE_PROTOCOL_ERROR, invalid.reason());
    }
    if (in instanceof RawWebSocket.TooBig big) {
      return new RawWebSocket.Close(
          RawWebSocket.CLOSE_TOO_BIG, "a message of " + big.bytes() + " bytes");
    }
    RawWebSocket.Data data = (RawWebSocket.Data) in;
    if (!data.text()) {
      return new RawWebSocket.Text("binary " + Base64.getEncoder().encodeToString(data.payload()));
    }
    String text = new String(data.payload(), UTF_8);
    if (text.startsWith("close ")) {
      String[] parts = text.split(" ", 3);
      return new RawWebSocket.Close(Integer.parseInt(parts[1]), parts[2]);
    }
    return new RawWebSocket.Text("text " + text);
  }

  @BeforeAll
  static void bind() throws Exception {
    Route route =
        Directives.extractRequest(
            request ->
                RawWebSocket.upgrade(request, MAX_MESSAGE_BYTES, RawWebSocketTest::echo)
                    .map(response -> Directives.complete(response))
                    .orElseGet(() -> Directives.complete(StatusCodes.BAD_REQUEST, "no upgrade")));
    binding =
        Http.get(testKit.system())
            .newServerAt("127.0.0.1", 0)
            .bind(route)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    baseUrl = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    binding.terminate(Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  // The internal API, as RawWebSocket uses it

  @Test
  void theVersionsOnTheClassPathAreTheOnesTheAdapterWasCheckedAgainst() {
    String recheck =
        ": run this test class, read what changed in "
            + INTERNAL
            + "*, then update the versions in RawWebSocket's Javadoc and constants and in the"
            + " README";
    assertEquals(
        RawWebSocket.CHECKED_PEKKO_HTTP,
        org.apache.pekko.http.Version.current(),
        "Pekko HTTP changed" + recheck);
    assertEquals(
        RawWebSocket.CHECKED_PEKKO, org.apache.pekko.Version.current(), "Pekko changed" + recheck);
  }

  @Test
  void theInternalTypesHaveTheShapeTheAdapterUses() throws Exception {
    Class<?> upgrade = internal("UpgradeToWebSocketLowLevel");
    assertTrue(
        WebSocketUpgrade.class.isAssignableFrom(upgrade),
        "UpgradeToWebSocketLowLevel is no longer a WebSocketUpgrade");
    method(
        upgrade,
        "handleFrames",
        org.apache.pekko.http.javadsl.model.HttpResponse.class,
        Graph.class,
        Option.class);

    Class<?> frameEvent = internal("FrameEvent");
    Class<?> frameStart = internal("FrameStart");
    Class<?> frameData = internal("FrameData");
    Class<?> header = internal("FrameHeader");
    Class<?> opcode = internal("Protocol$Opcode");
    assertTrue(frameEvent.isAssignableFrom(frameStart), "FrameStart is a FrameEvent");
    assertTrue(frameEvent.isAssignableFrom(frameData), "FrameData is a FrameEvent");
    method(frameStart, "header", header);
    method(frameStart, "data", ByteString.class);
    method(frameStart, "lastPart", boolean.class);
    method(frameData, "data", ByteString.class);
    method(frameData, "lastPart", boolean.class);
    method(header, "opcode", opcode);
    method(header, "fin", boolean.class);
    method(header, "mask", Option.class);
    method(header, "length", long.class);
    method(opcode, "code", byte.class);

    Class<?> factory = internal("FrameEvent$");
    Object module = factory.getField("MODULE$").get(null);
    Method fullFrame =
        method(
            factory,
            "fullFrame",
            frameStart,
            opcode,
            Option.class,
            ByteString.class,
            boolean.class,
            boolean.class,
            boolean.class,
            boolean.class);
    Method closeFrame =
        method(factory, "closeFrame", frameStart, int.class, String.class, Option.class);

    // the opcodes, by the numbers the assembler compares against
    String[] names = {"Continuation", "Text", "Binary", "Close", "Ping", "Pong"};
    byte[] codes = {
      MessageAssembler.CONTINUATION,
      MessageAssembler.TEXT,
      MessageAssembler.BINARY,
      MessageAssembler.CLOSE,
      MessageAssembler.PING,
      MessageAssembler.PONG
    };
    for (int i = 0; i < names.length; i++) {
      Object op = internal("Protocol$Opcode$" + names[i] + "$").getField("MODULE$").get(null);
      assertEquals(codes[i], (byte) opcode.getMethod("code").invoke(op), names[i]);
    }

    // frames built as RawWebSocket builds them read back as it reads them
    Object text = internal("Protocol$Opcode$Text$").getField("MODULE$").get(null);
    Object frame =
        fullFrame.invoke(
            module, text, Option.empty(), ByteString.fromString("hi"), true, false, false, false);
    Object h = frameStart.getMethod("header").invoke(frame);
    assertEquals(
        MessageAssembler.TEXT,
        (byte) opcode.getMethod("code").invoke(header.getMethod("opcode").invoke(h)));
    assertEquals(true, header.getMethod("fin").invoke(h));
    assertEquals(2L, header.getMethod("length").invoke(h));
    assertEquals(
        Option.empty(), header.getMethod("mask").invoke(h), "a server frame is not masked");
    assertEquals(true, frameStart.getMethod("lastPart").invoke(frame));
    Object close = closeFrame.invoke(module, 4001, "why", Option.empty());
    assertEquals(
        ByteString.fromArray(new byte[] {0x0f, (byte) 0xa1, 'w', 'h', 'y'}),
        frameStart.getMethod("data").invoke(close),
        "a close frame's payload: the code (big-endian), then the reason");
  }

  private static Class<?> internal(String simpleName) {
    try {
      return Class.forName(INTERNAL + simpleName);
    } catch (ClassNotFoundException e) {
      return fail(
          "Pekko HTTP "
              + org.apache.pekko.http.Version.current()
              + " has no "
              + INTERNAL
              + simpleName
              + ", which RawWebSocket uses (checked against "
              + RawWebSocket.CHECKED_PEKKO_HTTP
              + ")",
          e);
    }
  }

  /** The public method {@code name(params)} of {@code type}, returning a {@code returns}. */
  private static Method method(Class<?> type, String name, Class<?> returns, Class<?>... params) {
    String what =
        type.getName()
            + "."
            + name
            + Arrays.toString(params)
            + " returning "
            + returns.getName()
            + ", which RawWebSocket uses (checked against Pekko HTTP "
            + RawWebSocket.CHECKED_PEKKO_HTTP
            + ")";
    try {
      Method m = type.getMethod(name, params);
      assertTrue(Modifier.isPublic(m.getModifiers()), what + " is not public");
      assertTrue(
          returns.isAssignableFrom(m.getReturnType()),
          what + " returns " + m.getReturnType().getName());
      return m;
    } catch (NoSuchMethodException e) {
      return fail("Pekko HTTP " + org.apache.pekko.http.Version.current() + " has no " + what, e);
    }
  }

  // A real upgrade over a real socket

  @Test
  void textAndBinaryMessagesArriveWholeInOneFrameOrInFragments() throws Exception {
    try (TestWebSocket ws = TestWebSocket.connect(baseUrl, "/")) {
      ws.sendText("hello");
      assertEquals("text hello", ws.next().asText());

      ws.sendText("hel", false);
      ws.sendText("lo w", false);
      ws.sendText("\u00f6rld", true);
      assertEquals("text hello w\u00f6rld", ws.next().asText(), "continuation frames joined");

      byte[] binary = new byte[60 * 1024];
      new Random(8).nextBytes(binary);
      ws.sendBinary(Arrays.copyOfRange(binary, 0, 1000), false);
      ws.sendBinary(Arrays.copyOfRange(binary, 1000, 40_000), false);
      ws.sendBinary(Arrays.copyOfRange(binary, 40_000, binary.length), true);
      assertArrayEquals(
          binary,
          Base64.getDecoder().decode(ws.next().asText().substring("binary ".length())),
          "a binary message in fragments, unmasked");

      String large = "x".repeat(MAX_MESSAGE_BYTES - 1) + "y";
      ws.sendText(large);
      assertEquals("text " + large, ws.next().asText(), "a message of exactly the limit");
    }
  }

  @Test
  void theCloseCodeAndReasonTheHandlerChoosesReachTheClient() throws Exception {
    TestWebSocket ws = TestWebSocket.connect(baseUrl, "/");
    ws.sendText("close 4001 going away now");
    assertEquals(new TestWebSocket.Closed(4001, "going away now"), ws.closed());

    TestWebSocket longReason = TestWebSocket.connect(baseUrl, "/");
    longReason.sendText("close 1002 " + "\u00e9".repeat(300));
    TestWebSocket.Closed closed = longReason.closed();
    assertEquals(1002, closed.code());
    assertTrue(
        closed.reason().getBytes(UTF_8).length <= RawWebSocket.MAX_CLOSE_REASON_BYTES,
        "a close frame carries at most 123 bytes of reason: " + closed.reason());
    assertTrue(closed.reason().endsWith("..."), closed.reason());
  }

  @Test
  void aMessagePastTheLimitClosesWithMessageTooBig() throws Exception {
    TestWebSocket ws = TestWebSocket.connect(baseUrl, "/");
    // the adapter may close as soon as the frame header says 92160 bytes, mid-send
    ws.sendMaybeCutShort(java.nio.ByteBuffer.wrap(new byte[90 * 1024]), false);
    assertEquals(
        new TestWebSocket.Closed(RawWebSocket.CLOSE_TOO_BIG, "a message of 92160 bytes"),
        ws.closed());
  }

  @Test
  void aPingIsAnsweredWithItsPayloadAndACloseWithANormalClose() throws Exception {
    TestWebSocket ws = TestWebSocket.connect(baseUrl, "/");
    ws.sendPing("are you there");
    assertEquals("are you there", ws.pong());
    ws.close();
    assertEquals(RawWebSocket.CLOSE_NORMAL, ws.closeCode());
  }

  @Test
  void aPlainRequestIsNoUpgrade() throws Exception {
    HttpResponse<String> plain =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(400, plain.statusCode());
    assertEquals("no upgrade", plain.body());
  }

  @Test
  void aBadCloseCodeIsRefusedWhenAsked() {
    assertEquals(
        "a close code is 1000..4999, got 999",
        assertThrows(IllegalArgumentException.class, () -> new RawWebSocket.Close(999, ""))
            .getMessage());
  }
}
