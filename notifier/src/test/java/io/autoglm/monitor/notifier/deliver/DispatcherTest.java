package io.autoglm.monitor.notifier.deliver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.notifier.net.GuardedHttp;
import io.autoglm.monitor.notifier.net.UrlGuard;
import io.autoglm.monitor.notifier.receiver.Receiver;
import io.autoglm.monitor.notifier.receiver.ReceiverCodec;
import io.autoglm.monitor.notifier.route.Route;
import io.autoglm.monitor.notifier.route.RouteCodec;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failover chain against real local receivers: "SMS gateway down → WeCom → webhook", the SMS
 * gateway an Aliyun-speaking endpoint that answers 503.
 */
class DispatcherTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static HttpServer server;
  private static String base;
  private static final List<String> hits = new CopyOnWriteArrayList<>();
  private static final AtomicReference<String> wecomAnswer = new AtomicReference<>();
  private final List<String> failovers = new CopyOnWriteArrayList<>();
  private final List<DeliveryWorker.Attempt> attempts = new CopyOnWriteArrayList<>();

  /** A receiver whose worker fails (its audit throws an error) on every attempt; null: none. */
  private volatile String crashing;

  private static final Alert ALERT = TestAlerts.FIRING;

  @BeforeAll
  static void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String path : List.of("/sms", "/wecom", "/webhook")) {
      server.createContext(
          path,
          ex -> {
            ex.getRequestBody().readAllBytes();
            hits.add(path);
            int status = path.equals("/sms") ? 503 : 200;
            String body = path.equals("/wecom") ? wecomAnswer.get() : "{}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
          });
    }
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    KIT.shutdownTestKit();
  }

  @BeforeEach
  void reset() {
    hits.clear();
  }

  private ActorRef<Dispatcher.Command> dispatcher() throws Exception {
    UrlGuard guard = new UrlGuard(List.of("127.0.0.1/32"));
    Map<String, Receiver> receivers =
        Map.of(
            "oncall-sms",
            receiver(
                "{\"name\": \"oncall-sms\", \"alert_channels\": [{\"type\": \"sms\","
                    + " \"phones\": [\"13800138000\"], \"provider\": \"aliyun_sms\"}]}",
                guard),
            "wecom-team",
            receiver(
                "{\"name\": \"wecom-team\", \"alert_channels\": [{\"type\": \"wecom\", \"url\": \""
                    + base
                    + "/wecom?key=k\"}]}",
                guard),
            "ops-webhook",
            receiver(
                "{\"name\": \"ops-webhook\", \"alert_channels\": [{\"type\": \"webhook\", \"url\": \""
                    + base
                    + "/webhook\"}]}",
                guard));
    Providers providers =
        Providers.fromConfig(
            ConfigFactory.parseMap(
                    Map.of(
                        "autoglm.notifier.sms.aliyun.endpoint", base + "/sms",
                        "autoglm.notifier.sms.aliyun.access-key-id", "LTAI-test",
                        "autoglm.notifier.sms.aliyun.access-key-secret", "s",
                        "autoglm.notifier.sms.aliyun.sign-name", "AutoGLM",
                        "autoglm.notifier.sms.aliyun.template-code", "SMS_1"))
                .withFallback(ConfigFactory.load())
                .resolve());
    DeliveryWorker.Settings settings =
        new DeliveryWorker.Settings(
            2,
            Duration.ofMillis(20),
            Duration.ofMillis(50),
            Duration.ofSeconds(3),
            5,
            Duration.ofSeconds(30));
    Sender sender =
        Sender.of(
            new GuardedHttp(KIT.system(), guard, Duration.ofSeconds(2)),
            Optional.empty(),
            Runnable::run);
    return KIT.spawn(
        Dispatcher.create(
            receivers::get,
            providers,
            "http://monitor",
            settings,
            sender,
            (about, attempt) -> {
              if (attempt.receiver().equals(crashing)) {
                throw new AssertionError("the worker of " + crashing + " fails");
              }
              attempts.add(attempt);
            },
            f -> failovers.add(f.line())));
  }

  private static Receiver receiver(String json, UrlGuard guard) throws Exception {
    return ReceiverCodec.parse(Json.mapper().readTree(json), guard);
  }

  private static Route.Match route() throws Exception {
    Route root =
        RouteCodec.parse(
            Json.mapper()
                .readTree(
                    "{\"receiver\": \"ops-webhook\", \"routes\": [{\"matchers\":"
                        + " [\"severity=critical\"], \"receiver\": \"oncall-sms\","
                        + " \"failover\": [\"wecom-team\", \"ops-webhook\"]}]}"),
            java.util.Set.of("oncall-sms", "wecom-team", "ops-webhook"));
    return root.match(Map.of("severity", "critical")).get(0);
  }

  @Test
  void smsDownFailsOverToWeCom() throws Exception {
    wecomAnswer.set("{\"errcode\":0,\"errmsg\":\"ok\"}");
    TestProbe<Dispatcher.Dispatched> probe = KIT.createTestProbe();
    dispatcher().tell(new Dispatcher.Dispatch(ALERT, route(), probe.getRef()));
    Dispatcher.Dispatched d =
        probe.expectMessageClass(Dispatcher.Dispatched.class, Duration.ofSeconds(10));
    assertEquals("wecom-team", d.deliveredBy());
    assertEquals(List.of("/sms", "/sms", "/wecom"), hits, "two SMS attempts, then WeCom");
    assertEquals(2, d.path().size(), d.path().toString());
    assertTrue(d.path().get(0).startsWith("oncall-sms: sms HTTP 503"), d.path().toString());
    assertEquals("wecom-team: delivered", d.path().get(1));
    assertEquals(1, failovers.size());
    assertTrue(
        failovers
            .get(0)
            .startsWith("failover for f1 (chat-errors): oncall-sms -> wecom-team: sms HTTP 503"),
        failovers.get(0));
    assertEquals(3, attempts.size(), "every attempt audited");
  }

  /** A worker that fails stops no other: the webhook delivers while WeCom's worker restarts. */
  @Test
  void aFailingWorkerStopsNoOtherChannel() throws Exception {
    wecomAnswer.set("{\"errcode\":0,\"errmsg\":\"ok\"}");
    crashing = "wecom-team";
    TestProbe<Dispatcher.Dispatched> probe = KIT.createTestProbe();
    ActorRef<Dispatcher.Command> dispatcher = dispatcher();
    Route.Match wecom = new Route.Match("wecom-team", List.of(), List.of(), 0, 0, 0, "route");
    Route.Match webhook = new Route.Match("ops-webhook", List.of(), List.of(), 0, 0, 0, "route");
    dispatcher.tell(new Dispatcher.Dispatch(ALERT, wecom, probe.getRef()));
    dispatcher.tell(new Dispatcher.Dispatch(ALERT, webhook, probe.getRef()));
    Dispatcher.Dispatched d =
        probe.expectMessageClass(Dispatcher.Dispatched.class, Duration.ofSeconds(10));
    assertEquals("ops-webhook", d.deliveredBy());
    // the two dispatches run side by side: WeCom's request may reach its server after the
    // webhook delivered, so wait for it (its worker fails once it has the answer)
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!hits.contains("/wecom") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(hits.contains("/wecom") && hits.contains("/webhook"), hits.toString());
    crashing = null;
  }

  /** Dispatches on their way at once each end as themselves (one answer each, the right one). */
  @Test
  void dispatchesAtOnceEachGetTheirOwnOutcome() throws Exception {
    TestProbe<Dispatcher.Dispatched> probe = KIT.createTestProbe();
    ActorRef<Dispatcher.Command> dispatcher = dispatcher();
    Route.Match webhook = new Route.Match("ops-webhook", List.of(), List.of(), 0, 0, 0, "route");
    Alert resolved = ALERT.resolved(0.01, ALERT.windowEnd() + 10_000, ALERT.windowEnd() + 10_000);
    dispatcher.tell(new Dispatcher.Dispatch(ALERT, webhook, probe.getRef()));
    dispatcher.tell(new Dispatcher.Dispatch(resolved, webhook, probe.getRef()));
    Dispatcher.Dispatched first =
        probe.expectMessageClass(Dispatcher.Dispatched.class, Duration.ofSeconds(10));
    Dispatcher.Dispatched second =
        probe.expectMessageClass(Dispatcher.Dispatched.class, Duration.ofSeconds(10));
    assertEquals(
        List.of(ALERT, resolved),
        List.of(first.notification().first(), second.notification().first()));
    assertEquals("ops-webhook", first.deliveredBy());
    assertEquals("ops-webhook", second.deliveredBy());
    assertEquals(List.of("/webhook", "/webhook"), hits, "each sent once");
  }

  @Test
  void smsAndWeComDownFailOverToTheWebhook() throws Exception {
    wecomAnswer.set("{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}");
    TestProbe<Dispatcher.Dispatched> probe = KIT.createTestProbe();
    dispatcher().tell(new Dispatcher.Dispatch(ALERT, route(), probe.getRef()));
    Dispatcher.Dispatched d =
        probe.expectMessageClass(Dispatcher.Dispatched.class, Duration.ofSeconds(10));
    assertEquals("ops-webhook", d.deliveredBy());
    assertEquals(List.of("/sms", "/sms", "/wecom", "/webhook"), hits);
    assertEquals(2, failovers.size());
    assertTrue(
        failovers
            .get(1)
            .contains("wecom-team -> ops-webhook: wecom errcode 93000: invalid webhook url"),
        failovers.get(1));
  }
}
