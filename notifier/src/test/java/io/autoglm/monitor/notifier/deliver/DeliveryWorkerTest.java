package io.autoglm.monitor.notifier.deliver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import io.autoglm.monitor.notifier.net.GuardedHttp;
import io.autoglm.monitor.notifier.net.UrlGuard;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A worker against a real local receiver that answers as scripted. */
class DeliveryWorkerTest {
  private static final ActorTestKit KIT = ActorTestKit.create();

  private HttpServer server;
  private final Queue<Integer> answers = new ConcurrentLinkedQueue<>();
  private final List<String> keysSeen = new CopyOnWriteArrayList<>();
  private final List<DeliveryWorker.Attempt> audit = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger inProgress =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger mostAtOnce =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile long holdMs;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/hook",
        ex -> {
          ex.getRequestBody().readAllBytes();
          keysSeen.add(ex.getRequestHeaders().getFirst("X-AutoGLM-Delivery-Id"));
          mostAtOnce.accumulateAndGet(inProgress.incrementAndGet(), Math::max);
          try {
            Thread.sleep(holdMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          inProgress.decrementAndGet();
          Integer status = answers.poll();
          byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status == null ? 200 : status, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private Delivery delivery(String key) {
    return new Delivery.Http(
        "ops",
        "webhook",
        key,
        new OutgoingRequest(
            "POST",
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"),
            "application/json",
            Map.of("X-AutoGLM-Delivery-Id", key),
            "{}".getBytes(StandardCharsets.UTF_8)),
        Answer::ofStatus);
  }

  private ActorRef<DeliveryWorker.Command> worker(int maxAttempts, int breakerFailures) {
    GuardedHttp http =
        new GuardedHttp(KIT.system(), new UrlGuard(List.of("127.0.0.1/32")), Duration.ofSeconds(2));
    return KIT.spawn(
        DeliveryWorker.create(
            new DeliveryWorker.Settings(
                maxAttempts,
                Duration.ofMillis(50),
                Duration.ofMillis(200),
                Duration.ofSeconds(3),
                breakerFailures,
                Duration.ofSeconds(30)),
            Sender.of(http, Optional.empty(), Runnable::run),
            audit::add));
  }

  @Test
  void aReceiverThatFailsForAWhileGetsTheAlertOnceWithOneKey() {
    answers.add(500);
    answers.add(503);
    TestProbe<DeliveryWorker.Outcome> probe = KIT.createTestProbe();
    worker(5, 10).tell(new DeliveryWorker.Send(delivery("k-1"), probe.getRef()));
    DeliveryWorker.Outcome outcome =
        probe.expectMessageClass(DeliveryWorker.Outcome.class, Duration.ofSeconds(10));
    assertTrue(outcome.delivered());
    assertEquals(3, outcome.attempts());
    assertEquals(List.of("k-1", "k-1", "k-1"), keysSeen, "every attempt with the same key");
    assertEquals(
        List.of(false, false, true),
        audit.stream().map(DeliveryWorker.Attempt::delivered).toList());
    assertEquals("HTTP 500: {}", audit.get(0).error());
    assertTrue(audit.get(0).retryable());
  }

  @Test
  void anAuditThatThrowsDoesNotStopTheDelivery() {
    GuardedHttp http =
        new GuardedHttp(KIT.system(), new UrlGuard(List.of("127.0.0.1/32")), Duration.ofSeconds(2));
    ActorRef<DeliveryWorker.Command> worker =
        KIT.spawn(
            DeliveryWorker.create(
                new DeliveryWorker.Settings(
                    3,
                    Duration.ofMillis(50),
                    Duration.ofMillis(200),
                    Duration.ofSeconds(3),
                    5,
                    Duration.ofSeconds(30)),
                Sender.of(http, Optional.empty(), Runnable::run),
                attempt -> {
                  throw new IllegalStateException("audit down");
                }));
    TestProbe<DeliveryWorker.Outcome> probe = KIT.createTestProbe();
    worker.tell(new DeliveryWorker.Send(delivery("k-9"), probe.getRef()));
    assertTrue(
        probe.expectMessageClass(DeliveryWorker.Outcome.class, Duration.ofSeconds(10)).delivered());
  }

  /** The receiver takes a second per request: deliveries of different alerts overlap. */
  @Test
  void differentAlertsGoSideBySideAndOneAlertsInOrder() {
    holdMs = 1_000;
    TestProbe<DeliveryWorker.Outcome> probe = KIT.createTestProbe();
    ActorRef<DeliveryWorker.Command> worker = worker(3, 5);
    for (String k : List.of("a-1", "b-1", "c-1")) {
      worker.tell(new DeliveryWorker.Send(delivery(k), k.substring(0, 1), probe.getRef()));
    }
    for (int i = 0; i < 3; i++) {
      assertTrue(
          probe
              .expectMessageClass(DeliveryWorker.Outcome.class, Duration.ofSeconds(10))
              .delivered());
    }
    assertEquals(3, mostAtOnce.get(), "three alerts, three requests at once");

    mostAtOnce.set(0);
    keysSeen.clear();
    for (String k : List.of("d-firing", "d-resolved", "d-firing-again")) {
      worker.tell(new DeliveryWorker.Send(delivery(k), "d", probe.getRef()));
    }
    for (int i = 0; i < 3; i++) {
      probe.expectMessageClass(DeliveryWorker.Outcome.class, Duration.ofSeconds(10));
    }
    assertEquals(1, mostAtOnce.get(), "one alert's changes one at a time");
    assertEquals(List.of("d-firing", "d-resolved", "d-firing-again"), keysSeen, "in order");
  }

  @Test
  void aChannelThatStaysDownOpensItsBreakerAndLaterDeliveriesFailAtOnce() {
    for (int i = 0; i < 20; i++) {
      answers.add(503);
    }
    TestProbe<DeliveryWorker.Outcome> probe = KIT.createTestProbe();
    ActorRef<DeliveryWorker.Command> worker = worker(2, 3);
    worker.tell(new DeliveryWorker.Send(delivery("k-1"), probe.getRef()));
    worker.tell(new DeliveryWorker.Send(delivery("k-2"), probe.getRef()));
    worker.tell(new DeliveryWorker.Send(delivery("k-3"), probe.getRef()));
    DeliveryWorker.Outcome first =
        probe.expectMessageClass(DeliveryWorker.Outcome.class, Duration.ofSeconds(10));
    assertFalse(first.delivered());
    assertEquals(2, first.attempts(), "retries exhausted");
    // k-2's first attempt is the third failure in a row: the breaker opens, its retry fails fast
    DeliveryWorker.Outcome second =
        probe.expectMessageClass(DeliveryWorker.Outcome.class, Duration.ofSeconds(10));
    assertEquals(2, second.attempts());
    assertTrue(second.error().startsWith("breaker open"), second.error());
    DeliveryWorker.Outcome third =
        probe.expectMessageClass(DeliveryWorker.Outcome.class, Duration.ofSeconds(10));
    assertEquals(1, third.attempts());
    assertTrue(third.error().startsWith("breaker open"), third.error());
    assertEquals(List.of("k-1", "k-1", "k-2"), keysSeen, "nothing sent while the breaker is open");
    assertEquals(5, audit.size());
  }
}
