package io.autoglm.monitor.notifier.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.notifier.TestAlerts;
import io.autoglm.monitor.notifier.deliver.Dispatcher;
import io.autoglm.monitor.persistence.event.AlertGroupEvent;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.Settings;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A group on the persistence test kit, with a probe for its node's dispatcher: a burst is one
 * notification after {@code group_wait}; a notification not done when the group stops is sent
 * again, with the same key, by the group that recovers; a done group passivates.
 */
class AlertGroupEntityTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private static final Settings SETTINGS =
      new Settings(
          "route:{alertname=\"chat-errors\"}",
          Map.of("alertname", "chat-errors"),
          "route",
          "ops",
          List.of("backup"),
          true,
          1_000,
          60_000,
          3_600_000);

  private static final AtomicInteger GROUPS = new AtomicInteger();

  private TestProbe<Dispatcher.Command> dispatcher;
  private String id;
  private final AtomicInteger passivations = new AtomicInteger();

  /** The group's clock: only the test moves it (its timers run in real time, and look at it). */
  private final AtomicLong clock = new AtomicLong(1_767_225_600_000L);

  private EventSourcedBehaviorTestKit<AlertGroupEntity.Command, AlertGroupEvent, GroupState> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    dispatcher = testKit.createTestProbe();
    id = "g" + GROUPS.incrementAndGet(); // a journal of its own
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            AlertGroupEntity.create(
                id,
                new AlertGroupEntity.Dependencies(
                    dispatcher.getRef(),
                    clock::get,
                    Duration.ofMillis(200),
                    Duration.ofMillis(500)),
                self -> passivations.incrementAndGet()));
  }

  private void add(Alert alert) {
    var result =
        kit.<Done>runCommand(replyTo -> new AlertGroupEntity.Add(alert, SETTINGS, replyTo));
    assertEquals(Done.getInstance(), result.reply());
  }

  private Dispatcher.Dispatch nextDispatch() {
    return dispatcher.expectMessageClass(Dispatcher.Dispatch.class, Duration.ofSeconds(10));
  }

  @Test
  void twentyAlertsWithinGroupWaitAreOneNotificationSentAgainWithItsKeyAfterARestart() {
    for (int i = 0; i < 20; i++) {
      add(TestAlerts.onEndpoint(i));
    }
    add(TestAlerts.onEndpoint(3)); // read twice (the journal after the pub-sub copy)
    dispatcher.expectNoMessage(Duration.ofMillis(1_500)); // group_wait is not over
    clock.addAndGet(1_000);
    Dispatcher.Dispatch sent = nextDispatch();
    assertEquals(20, sent.notification().alerts().size(), "one notification with all twenty");
    assertEquals(id + "-1", sent.notification().key());
    assertEquals(SETTINGS.groupKey(), sent.notification().groupKey());
    assertEquals("ops", sent.match().receiver());
    assertEquals(List.of("backup"), sent.match().failover());
    dispatcher.expectNoMessage(Duration.ofMillis(1_500));

    // the owner stops before the delivery is done: the group that recovers sends it again
    kit.restart();
    Dispatcher.Dispatch again = nextDispatch();
    assertEquals(id + "-1", again.notification().key(), "the same key");
    assertEquals(sent.notification().alerts(), again.notification().alerts());

    again
        .replyTo()
        .tell(new Dispatcher.Dispatched(again.notification(), "ops", "ops", List.of("ops: ok")));
    for (long until = System.nanoTime() + 10_000_000_000L;
        kit.getState().pending() != null && System.nanoTime() < until; ) {
      Thread.onSpinWait();
    }
    assertNull(kit.getState().pending(), "done");
    dispatcher.expectNoMessage(Duration.ofMillis(1_500));
  }

  @Test
  void aGroupWhoseAlertsAllResolvedSendsThemOnceAndPassivates() {
    Alert firing = TestAlerts.onEndpoint(1);
    add(firing);
    clock.addAndGet(1_000);
    Dispatcher.Dispatch first = nextDispatch();
    first.replyTo().tell(new Dispatcher.Dispatched(first.notification(), "ops", "ops", List.of()));
    Alert resolved = firing.resolved(0.01, firing.startsAt() + 60_000, firing.startsAt() + 60_000);
    add(resolved);
    dispatcher.expectNoMessage(Duration.ofMillis(1_500)); // group_interval (60 s) is not over
    assertEquals(0, passivations.get(), "a resolve to send");
    clock.addAndGet(60_000);
    Dispatcher.Dispatch second = nextDispatch();
    assertEquals(List.of(resolved), second.notification().alerts());
    assertEquals(id + "-2", second.notification().key());
    second
        .replyTo()
        .tell(new Dispatcher.Dispatched(second.notification(), "ops", "ops", List.of()));
    for (long until = System.nanoTime() + 10_000_000_000L;
        passivations.get() == 0 && System.nanoTime() < until; ) {
      Thread.onSpinWait();
    }
    assertEquals(1, passivations.get(), "nothing left: the group passivates");
    assertTrue(kit.getState().isIdle());
  }
}
