package io.autoglm.monitor.sharding.stats;

import static io.autoglm.monitor.sharding.TestTraffic.SETTINGS;
import static io.autoglm.monitor.sharding.TestTraffic.T0;
import static io.autoglm.monitor.sharding.TestTraffic.batches;
import static io.autoglm.monitor.sharding.TestTraffic.traffic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertResolved;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.WatermarkAdvanced;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.ManualClock;
import io.autoglm.monitor.sharding.TestTraffic;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EndpointStatsEntityTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final String ID = "default/v1/chat/completions";

  private final ManualClock clock = new ManualClock(TestTraffic.NOW);
  private final RuleCache rules = new RuleCache();
  private TestProbe<Topic.Command<Alert>> alerts;
  private EventSourcedBehaviorTestKit<
          EndpointStatsEntity.Command, EndpointStatsEvent, EndpointStatsState>
      kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    alerts = testKit.createTestProbe();
    rules.offer(
        RuleSet.EMPTY.with(
            new ThresholdRule(
                "chat-errors",
                Metric.ERROR_RATE,
                Comparison.GT,
                0.2,
                0,
                0,
                Severity.CRITICAL,
                Glob.of("*"),
                Glob.of("/v1/chat/*"),
                "")));
    EndpointStatsEntity.Dependencies deps =
        new EndpointStatsEntity.Dependencies(
            SETTINGS, rules, alerts.ref(), clock, new StatsCounters());
    kit =
        EventSourcedBehaviorTestKit.create(testKit.system(), EndpointStatsEntity.create(ID, deps));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          EndpointStatsEntity.Command,
          EndpointStatsEvent,
          EndpointStatsState,
          StatusReply<EndpointStatsEntity.IngestAck>>
      ingest(EndpointDelta delta) {
    return kit.runCommand(replyTo -> new EndpointStatsEntity.Ingest(delta, replyTo));
  }

  @Test
  void oneEventPerDeltaCountedIntoPanesAndMinutes() {
    var result = ingest(traffic("/v1/chat/completions", 0, 12, 100, 0.0, 200));
    assertEquals(1, result.events().size(), "one aggregate event for 1200 records");
    StatsIngested e = assertInstanceOf(StatsIngested.class, result.event());
    assertEquals(1200, e.accepted());
    assertEquals(12, e.windows().size(), "one pane a second");
    EndpointStatsState state = result.state();
    assertEquals(12, state.panes().size());
    assertEquals(T0 + 11_990 + 1, state.evaluatedAt(), "just after the newest record");
    assertEquals(state.evaluatedAt() - SETTINGS.allowedLatenessMs(), state.watermark());
    assertEquals(List.of(1200L), state.minutes().stream().map(WindowStats::count).toList());

    var later = ingest(traffic("/v1/chat/completions", 12, 16, 100, 0.0, 200));
    assertEquals(new EndpointStatsEntity.IngestAck(400, 0, 0, 0, 0), later.reply().getValue());
    WindowStats first = later.state().panes().get(0);
    assertEquals(T0, first.start());
    assertEquals(T0 + 1_000, first.end());
    assertEquals(100, first.count());
    assertEquals(200.0, first.latencyQuantileMs(0.95), 200 * 0.02);
    assertEquals(1600, later.state().minutes().get(0).count());
  }

  @Test
  void aRecordArrivingAfterItsPaneWasEvaluatedStillLandsInItsPaneAndMinute() {
    ingest(traffic("/v1/chat/completions", 0, 10, 10, 0.0, 100));
    // within the allowed lateness (30 s behind the newest record): counted, not late
    var delayed = ingest(traffic("/v1/chat/completions", 8, 9, 10, 0.0, 100));
    assertEquals(new EndpointStatsEntity.IngestAck(10, 0, 0, 0, 0), delayed.reply().getValue());
    assertEquals(20, paneAt(delayed.state(), T0 + 8_000).count());
    assertEquals(110, delayed.state().minutes().get(0).count());
  }

  private static WindowStats paneAt(EndpointStatsState state, long start) {
    return state.panes().stream()
        .filter(p -> p.start() == start)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no pane at " + start + " in " + state.panes()));
  }

  /** The year-2099 record a probe sent: valid by the schema, far ahead of any clock. */
  private static final long YEAR_2099 = 4_102_444_799_000L;

  private static EndpointDelta withRecordAt(long ts, String agent, long seq) {
    DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", T0 + 3_600_000);
    agg.beginBatch(agent, 1, seq);
    agg.add(
        io.autoglm.monitor.protocols.capture.CaptureRecord.of(
            ts, "/v1/chat/completions", 200, 10, "10.0.0.1"));
    return agg.drain().get(0);
  }

  @Test
  void aRecordFromTheFutureIsCountedAsFutureAndDoesNotMoveTheWatermark() {
    ingest(traffic("/v1/chat/completions", 0, 12, 10, 0.0, 100));
    long watermark = kit.getState().watermark();
    var poison = ingest(withRecordAt(YEAR_2099, "gw", 1));
    assertEquals(new EndpointStatsEntity.IngestAck(0, 0, 0, 1, 0), poison.reply().getValue());
    assertEquals(
        watermark, poison.state().watermark(), "the watermark stays where the real traffic put it");
    assertEquals(1, poison.state().future());
    assertEquals(
        1, poison.state().appliedSeq("gw#1"), "the batch is applied: a replay is a duplicate");

    // live records after it are on time and reach the rules
    var after = ingest(traffic("/v1/chat/completions", 12, 30, 10, 0.5, 100));
    assertEquals(new EndpointStatsEntity.IngestAck(180, 0, 0, 0, 0), after.reply().getValue());
    assertTrue(
        after.events().stream().anyMatch(e -> e instanceof AlertFired), after.events().toString());

    // a gateway a minute ahead is within max-future (5 min): counted
    var skewed = ingest(withRecordAt(clock.get() + 60_000, "gw", 2));
    assertEquals(new EndpointStatsEntity.IngestAck(1, 0, 0, 0, 0), skewed.reply().getValue());
  }

  @Test
  void windowsBeyondTheHorizonInADeltaFromAnotherNodeAreFuture() {
    // a node whose clock runs a year ahead aggregated this delta: the entity bounds it by its own
    // clock
    DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", YEAR_2099);
    agg.add(
        io.autoglm.monitor.protocols.capture.CaptureRecord.of(
            YEAR_2099 - 1_000, "/v1/chat/completions", 200, 1, "10.0.0.1"));
    var result = ingest(agg.drain().get(0));
    assertEquals(new EndpointStatsEntity.IngestAck(0, 0, 0, 1, 0), result.reply().getValue());
    assertTrue(result.state().watermark() <= clock.get() + SETTINGS.maxFutureMs());
  }

  /** What the code before max-future persisted for the year-2099 record: a watermark at 2099. */
  private static StatsIngested poisonedEvent() {
    DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", YEAR_2099); // no bound back then
    agg.add(
        io.autoglm.monitor.protocols.capture.CaptureRecord.of(
            YEAR_2099, "/v1/chat/completions", 200, 1, "10.0.0.1"));
    List<WindowStats> windows = agg.drain().get(0).parts().get(0).windows();
    return new StatsIngested(
        ID, windows, 1, 0, YEAR_2099, YEAR_2099 - SETTINGS.allowedLatenessMs(), Map.of(), 0, 0);
  }

  @Test
  void aWatermarkPoisonedByStoredDataHealsAfterRecoverySoLiveRecordsCountAgain() {
    kit.initialize(
        traffic("/v1/chat/completions", 0, 10, 10, 0, 100).parts().stream()
            .map(
                p ->
                    (Object)
                        new StatsIngested(
                            ID,
                            p.windows(),
                            100,
                            0,
                            p.maxEventTs(),
                            p.maxEventTs() - 5_000,
                            Map.of(),
                            0,
                            0))
            .findFirst()
            .orElseThrow(),
        poisonedEvent());
    assertTrue(
        kit.getState().watermark() >= YEAR_2099 - SETTINGS.allowedLatenessMs(),
        "stored as the old code wrote it");

    clock.set(T0 + 20_000); // the traffic below is live
    var live = ingest(traffic("/v1/chat/completions", 10, 20, 10, 0, 100));
    assertEquals(
        new EndpointStatsEntity.IngestAck(100, 0, 0, 0, 0),
        live.reply().getValue(),
        "live records are on time again, not late");
    EndpointStatsState healed = live.state();
    assertEquals(
        T0 + 20_001 - SETTINGS.allowedLatenessMs(),
        healed.watermark(),
        "recomputed from the wall clock");
    assertEquals(200, healed.accepted(), "the 2099 record moved from accepted to future");
    assertEquals(1, healed.future());
    assertTrue(
        healed.panes().stream().allMatch(w -> w.start() < clock.get()), healed.panes().toString());
    assertEquals(
        100, healed.panes().stream().mapToLong(WindowStats::count).sum(), "the live panes");
    assertEquals(
        List.of(100L),
        healed.minutes().stream().map(WindowStats::count).toList(),
        "the poison's minute in 2099 is gone; the stored minute went when the poison moved event"
            + " time to 2099, so the live minute holds the live data");

    kit.restart();
    assertEquals(
        healed, kit.getState(), "the reset is persisted: recovery rebuilds the healed state");
  }

  @Test
  void aWatermarkPoisonedByStoredDataHealsFromTheWallClockWithoutNewData() {
    kit.initialize(poisonedEvent());
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              EndpointStatsState s = kit.getState();
              assertTrue(s.watermark() <= clock.get(), "watermark " + s.watermark());
              assertEquals(1, s.future());
              assertTrue(s.panes().isEmpty() && s.minutes().isEmpty(), s.toString());
              return null;
            });
  }

  @Test
  void recordsBehindTheWatermarkAreCountedLateNotMerged() {
    ingest(traffic("/v1/chat/completions", 0, 40, 10, 0.0, 100));
    var result = ingest(traffic("/v1/chat/completions", 2, 3, 10, 0.0, 100));
    assertEquals(new EndpointStatsEntity.IngestAck(0, 10, 0, 0, 0), result.reply().getValue());
    assertEquals(10, result.state().late());
    assertEquals(10, paneAt(result.state(), T0 + 2_000).count(), "the pane did not change");
  }

  @Test
  void anErrorBurstFiresWithinTheSecondItCrossesTheThresholdThenResolves() {
    ingest(traffic("/v1/chat/completions", 0, 20, 50, 0.0, 100));
    var burst = ingest(traffic("/v1/chat/completions", 20, 40, 50, 0.5, 100));
    // the 10 s window ending at T0+25 s holds 5 s of 50 % errors: 25 % > 20 %
    AlertFired fired =
        (AlertFired)
            burst.events().stream()
                .filter(e -> e instanceof AlertFired)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no AlertFired in " + burst.events()));
    assertEquals(T0 + 25_000, fired.alert().startsAt());
    assertEquals(0.25, fired.alert().value(), 1e-9);
    alerts.expectMessageClass(Topic.publish(fired.alert()).getClass());

    var after = ingest(traffic("/v1/chat/completions", 40, 60, 50, 0.0, 100));
    // at T0+46 s the window holds 4 s of the burst: 20 %, no longer above
    AlertResolved resolved =
        (AlertResolved)
            after.events().stream()
                .filter(e -> e instanceof AlertResolved)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no AlertResolved in " + after.events()));
    assertEquals(T0 + 46_000, resolved.alert().endsAt());
    alerts.expectMessageClass(Topic.publish(fired.alert()).getClass());
  }

  @Test
  void aBurstFiresBeforeItsPaneEndsAtThePointJustAfterTheNewestRecord() {
    ingest(traffic("/v1/chat/completions", 0, 20, 50, 0.0, 100));
    // the first 200 ms of a 100 % error burst, on a 1 s window
    rules.offer(
        rules
            .current()
            .with(
                new ThresholdRule(
                    "fast",
                    Metric.ERROR_RATE,
                    Comparison.GT,
                    0.5,
                    0,
                    0,
                    Severity.CRITICAL,
                    Glob.of("*"),
                    Glob.of("/v1/chat/*"),
                    "",
                    1_000)));
    DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", TestTraffic.NOW);
    for (int i = 0; i < 10; i++) {
      agg.add(
          io.autoglm.monitor.protocols.capture.CaptureRecord.of(
              T0 + 20_000 + i * 20, "/v1/chat/completions", 503, 10, "10.0.0.1"));
    }
    var burst = ingest(agg.drain().get(0));
    AlertFired fired =
        (AlertFired)
            burst.events().stream()
                .filter(
                    e ->
                        e instanceof AlertFired && ((AlertFired) e).alert().ruleId().equals("fast"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no AlertFired in " + burst.events()));
    assertEquals(T0 + 20_181, fired.alert().windowEnd(), "evaluated just after the newest record");
    assertEquals(1.0, fired.alert().value());
  }

  @Test
  void theWallClockMovesEventTimeWhileNoDataArrivesSoAQpsDropFires() {
    rules.offer(
        rules
            .current()
            .with(
                new ThresholdRule(
                    "drop",
                    Metric.QPS,
                    Comparison.LT,
                    1,
                    0,
                    0,
                    Severity.WARNING,
                    Glob.of("*"),
                    Glob.of("/v1/chat/*"),
                    "")));
    ingest(traffic("/v1/chat/completions", 0, 8, 50, 0.0, 100));
    assertEquals(T0 + 7_981, kit.getState().evaluatedAt());
    // 6 s of quiet: event time moves to the pane boundary T0+13 s, whose window still holds
    // 5 s of traffic
    clock.advance(6_000);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertEquals(T0 + 13_000, kit.getState().evaluatedAt());
              return null;
            });
    assertEquals(RuleAlertState.Phase.OK, kit.getState().alertState("drop").phase());
    // 5 s more: the window ending at T0+18 s is empty, QPS 0
    clock.advance(5_000);
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              EndpointStatsState s = kit.getState();
              assertEquals(RuleAlertState.Phase.FIRING, s.alertState("drop").phase());
              assertEquals(T0 + 18_000, s.alertState("drop").alert().windowEnd());
              return null;
            });
  }

  /** An entity run as sharding runs it, with {@code shard} to ask for passivation. */
  private EventSourcedBehaviorTestKit<
          EndpointStatsEntity.Command, EndpointStatsEvent, EndpointStatsState>
      shardedKit(String id, TestProbe<ClusterSharding.ShardCommand> shard) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        EndpointStatsEntity.create(
            id,
            shard.ref(),
            new EndpointStatsEntity.Dependencies(
                SETTINGS, rules, alerts.ref(), clock, new StatsCounters())));
  }

  @Test
  void anIdleEndpointWithNothingLeftToDoAsksToBePassivated() {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    var idle = shardedKit("default/v1/idle", shard);
    idle.<StatusReply<EndpointStatsEntity.IngestAck>>runCommand(
        replyTo ->
            new EndpointStatsEntity.Ingest(traffic("/v1/idle", 0, 8, 50, 0.0, 100), replyTo));
    clock.advance(60_000); // its windows close, but it had data a minute ago
    shard.expectNoMessage(Duration.ofMillis(600));
    assertEquals(400, idle.getState().accepted());
    clock.advance(SETTINGS.passivateAfter().toMillis());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void anEndpointAQpsRuleWatchesIsNotPassivatedSoItSeesItsTrafficDropToZero() {
    rules.offer(
        rules
            .current()
            .with(
                new ThresholdRule(
                    "idle-drop",
                    Metric.QPS,
                    Comparison.LT,
                    1,
                    0,
                    0,
                    Severity.WARNING,
                    Glob.of("*"),
                    Glob.of("/v1/watched"),
                    "")));
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    var watched = shardedKit("default/v1/watched", shard);
    watched.<StatusReply<EndpointStatsEntity.IngestAck>>runCommand(
        replyTo ->
            new EndpointStatsEntity.Ingest(traffic("/v1/watched", 0, 8, 50, 0.0, 100), replyTo));
    clock.advance(SETTINGS.passivateAfter().toMillis() + 60_000);
    shard.expectNoMessage(Duration.ofSeconds(1));
    // and it keeps closing empty windows, so the drop fires
    testKit
        .createTestProbe()
        .awaitAssert(
            () -> {
              assertTrue(
                  watched.getState().alerts().get("idle-drop").phase()
                      == io.autoglm.monitor.sharding.detect.RuleAlertState.Phase.FIRING);
              return null;
            });
  }

  @Test
  void replayedBatchesAreDroppedExactlyEvenWhenTheyArriveRegrouped() {
    var first = ingest(batches("agent-a", "/v1/chat/completions", 5, 9));
    assertEquals(new EndpointStatsEntity.IngestAck(500, 0, 0, 0, 0), first.reply().getValue());

    var replay = ingest(batches("agent-a", "/v1/chat/completions", 5, 9));
    assertEquals(new EndpointStatsEntity.IngestAck(0, 0, 500, 0, 0), replay.reply().getValue());
    assertTrue(replay.hasNoEvents(), "a pure replay writes nothing");

    // another node grouped the replay differently: 5..12, of which 10..12 are new
    var regrouped = ingest(batches("agent-a", "/v1/chat/completions", 5, 12));
    assertEquals(
        new EndpointStatsEntity.IngestAck(300, 0, 500, 0, 0), regrouped.reply().getValue());
    assertEquals(800, regrouped.state().accepted());
    assertEquals(12, regrouped.state().appliedSeq("agent-a#1"));
    assertEquals(
        800,
        regrouped.state().panes().stream().mapToLong(WindowStats::count).sum(),
        "every record counted once");
    assertEquals(800, regrouped.state().minutes().get(0).count());

    // another agent's batches with the same seqs are not duplicates
    assertEquals(
        new EndpointStatsEntity.IngestAck(500, 0, 0, 0, 0),
        ingest(batches("agent-b", "/v1/chat/completions", 5, 9)).reply().getValue());
    kit.restart();
    assertEquals(12, kit.getState().appliedSeq("agent-a#1"), "the applied seqs survive recovery");
    assertEquals(
        new EndpointStatsEntity.IngestAck(0, 0, 300, 0, 0),
        ingest(batches("agent-a", "/v1/chat/completions", 10, 12)).reply().getValue());
  }

  @Test
  void onlyTheNewestEpochsOfAnAgentAreRemembered() {
    for (long epoch = 1; epoch <= EndpointStatsState.EPOCHS_PER_AGENT + 3; epoch++) {
      DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", T0);
      agg.beginBatch("restarting-agent", epoch, 1);
      agg.add(
          io.autoglm.monitor.protocols.capture.CaptureRecord.of(
              T0 + epoch * 1000, "/v1/chat/completions", 200, 10, "10.0.0.1"));
      ingest(agg.drain().get(0));
    }
    EndpointStatsState state = kit.getState();
    assertEquals(EndpointStatsState.EPOCHS_PER_AGENT, state.appliedSeqs().size());
    assertEquals(-1, state.appliedSeq("restarting-agent#3"), "the oldest epochs are forgotten");
    assertEquals(1, state.appliedSeq("restarting-agent#11"));
  }

  /** One record each under node-issued keys {@code ~http.n1} with the given epochs. */
  private static EndpointDelta underServerKeys(long... epochs) {
    DeltaAggregator agg = new DeltaAggregator(SETTINGS, "default", TestTraffic.NOW);
    for (long epoch : epochs) {
      agg.beginBatch("~http.n1", epoch, 0);
      agg.add(
          io.autoglm.monitor.protocols.capture.CaptureRecord.of(
              T0 + 1_000, "/v1/chat/completions", 200, 10, "10.0.0.1"));
    }
    return agg.drain().get(0);
  }

  @Test
  void nodeIssuedKeysAreRememberedUpToABudgetAndAnOlderRetryIsRefusedNotCountedTwice() {
    int budget = EndpointStatsState.SERVER_KEYS_REMEMBERED;
    long[] epochs = java.util.stream.LongStream.rangeClosed(1, budget + 1).toArray();
    assertEquals(
        new EndpointStatsEntity.IngestAck(budget + 1, 0, 0, 0, 0),
        ingest(underServerKeys(epochs)).reply().getValue());
    assertEquals(
        budget, kit.getState().appliedSeqs().size(), "only the newest keys are remembered");

    assertEquals(
        new EndpointStatsEntity.IngestAck(0, 0, 1, 0, 0),
        ingest(underServerKeys(2)).reply().getValue(),
        "a retry of a remembered request is a duplicate");
    assertEquals(
        new EndpointStatsEntity.IngestAck(0, 0, 0, 0, 1),
        ingest(underServerKeys(1)).reply().getValue(),
        "a retry older than every remembered key cannot be told apart: refused as expired");
    assertEquals(
        new EndpointStatsEntity.IngestAck(1, 0, 0, 0, 0),
        ingest(underServerKeys(budget + 5)).reply().getValue(),
        "a new request counts");
    assertEquals(budget + 2, kit.getState().accepted());
  }

  @Test
  void deltasArrivingWithinTheWriteIntervalShareOneWriteAndEachSenderGetsItsOwnCounts() {
    StatsSettings oncePerSecond = SETTINGS.withMinWriteInterval(Duration.ofSeconds(1));
    StatsCounters counters = new StatsCounters();
    ActorRef<EndpointStatsEntity.Command> entity =
        testKit.spawn(
            EndpointStatsEntity.create(
                "default/v1/coalesce",
                new EndpointStatsEntity.Dependencies(
                    oncePerSecond, rules, alerts.ref(), clock, counters)));
    String path = "/v1/coalesce";

    TestProbe<StatusReply<EndpointStatsEntity.IngestAck>> first = testKit.createTestProbe();
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw-a", path, 1, 2), first.ref()));
    assertEquals(
        new EndpointStatsEntity.IngestAck(200, 0, 0, 0, 0),
        first.receiveMessage().getValue(),
        "the first delta is written at once");
    assertEquals(1, counters.journalWrites.sum());

    // within the next second: two more agents, and a replay of gw-a's batches 3..4 that arrives
    // in the same interval as the batches themselves
    List<EndpointDelta> deltas =
        List.of(
            batches("gw-a", path, 3, 4),
            batches("gw-b", path, 1, 3),
            batches("gw-a", path, 3, 5),
            batches("gw-c", path, 1, 1));
    List<TestProbe<StatusReply<EndpointStatsEntity.IngestAck>>> probes = new ArrayList<>();
    for (EndpointDelta d : deltas) {
      TestProbe<StatusReply<EndpointStatsEntity.IngestAck>> probe = testKit.createTestProbe();
      probes.add(probe);
      entity.tell(new EndpointStatsEntity.Ingest(d, probe.ref()));
    }
    List<EndpointStatsEntity.IngestAck> acks =
        probes.stream().map(p -> p.receiveMessage(Duration.ofSeconds(5)).getValue()).toList();
    assertEquals(
        List.of(
            new EndpointStatsEntity.IngestAck(200, 0, 0, 0, 0),
            new EndpointStatsEntity.IngestAck(300, 0, 0, 0, 0),
            new EndpointStatsEntity.IngestAck(100, 0, 200, 0, 0),
            new EndpointStatsEntity.IngestAck(100, 0, 0, 0, 0)),
        acks);
    assertEquals(
        2, counters.journalWrites.sum(), "four deltas within the interval: one more write");

    TestProbe<EndpointStatsView> stats = testKit.createTestProbe();
    entity.tell(new EndpointStatsEntity.GetStats(0, stats.ref()));
    assertEquals(900, stats.receiveMessage().accepted());
    TestProbe<StatusReply<EndpointStatsEntity.IngestAck>> replays = testKit.createTestProbe();
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw-a", path, 1, 5), replays.ref()));
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw-b", path, 1, 3), replays.ref()));
    assertEquals(
        new EndpointStatsEntity.IngestAck(0, 0, 500, 0, 0),
        replays.receiveMessage(Duration.ofSeconds(5)).getValue(),
        "every batch of both agents was applied");
    assertEquals(
        new EndpointStatsEntity.IngestAck(0, 0, 300, 0, 0),
        replays.receiveMessage(Duration.ofSeconds(5)).getValue());
  }

  /**
   * A failed journal write: its sender gets no ack, the entity restarts with backoff and recovers,
   * a later batch of the same agent that arrived meanwhile is refused (applying it first would make
   * the lost batch's replay look like a duplicate), and the agent's replay counts every record
   * once.
   */
  @Test
  void aFailedWriteIsNotAckedAndItsReplayCountsOnceAfterTheEntityRestarts() {
    String id = "default/v1/failing";
    String path = "/v1/failing";
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    StatsCounters counters = new StatsCounters();
    ActorRef<EndpointStatsEntity.Command> entity =
        testKit.spawn(
            EndpointStatsEntity.create(
                id,
                new EndpointStatsEntity.Dependencies(
                    SETTINGS, rules, alerts.ref(), clock, counters)));
    TestProbe<StatusReply<EndpointStatsEntity.IngestAck>> lost = testKit.createTestProbe();
    TestProbe<StatusReply<EndpointStatsEntity.IngestAck>> later = testKit.createTestProbe();
    TestProbe<StatusReply<EndpointStatsEntity.IngestAck>> replay = testKit.createTestProbe();

    journal.failNextPersisted(
        PersistenceId.of(EndpointStatsEntity.ENTITY_TYPE_KEY.name(), id).id());
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 1, 2), lost.ref()));
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 3, 4), later.ref()));
    StatusReply<EndpointStatsEntity.IngestAck> refused =
        later.receiveMessage(Duration.ofSeconds(5));
    assertTrue(
        refused.isError() && refused.getError().getMessage().contains("send again from batch 1"),
        refused.toString());
    lost.expectNoMessage(Duration.ofMillis(200));

    entity.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 1, 4), replay.ref()));
    assertEquals(
        new EndpointStatsEntity.IngestAck(400, 0, 0, 0, 0),
        replay.receiveMessage(Duration.ofSeconds(5)).getValue(),
        "the agent's replay from its oldest unacked batch counts every record once");
    TestProbe<EndpointStatsView> stats = testKit.createTestProbe();
    entity.tell(new EndpointStatsEntity.GetStats(0, stats.ref()));
    assertEquals(400, stats.receiveMessage().accepted());
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 1, 4), replay.ref()));
    assertEquals(
        new EndpointStatsEntity.IngestAck(0, 0, 400, 0, 0),
        replay.receiveMessage(Duration.ofSeconds(5)).getValue(),
        "batches 1..4 are all applied now: sent again they are duplicates");
    lost.expectNoMessage(Duration.ofMillis(100));
  }

  /**
   * A write reported failed may have reached the journal all the same (a timeout on a stalled
   * Cassandra): the entity then recovers the batches it thought lost, and their replay is all
   * duplicates. That replay must still end the wait for the lost batch, or every later batch of the
   * agent is refused for good (the agent, acked up to the replay, never sends it again). Here
   * another incarnation of the entity persists batches 3 and 4 before the write of the first one
   * fails.
   */
  @Test
  void aReplayOfBatchesAFailedWriteDidPersistEndsTheWaitForThem() {
    String id = "default/v1/ambiguous";
    String path = "/v1/ambiguous";
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    EndpointStatsEntity.Dependencies deps =
        new EndpointStatsEntity.Dependencies(
            SETTINGS, rules, alerts.ref(), clock, new StatsCounters());
    TestProbe<StatusReply<EndpointStatsEntity.IngestAck>> replies = testKit.createTestProbe();
    ActorRef<EndpointStatsEntity.Command> entity =
        testKit.spawn(EndpointStatsEntity.create(id, deps));
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 1, 2), replies.ref()));
    assertEquals(200, replies.receiveMessage(Duration.ofSeconds(5)).getValue().accepted());

    ActorRef<EndpointStatsEntity.Command> other =
        testKit.spawn(EndpointStatsEntity.create(id, deps));
    other.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 3, 4), replies.ref()));
    assertEquals(200, replies.receiveMessage(Duration.ofSeconds(5)).getValue().accepted());
    testKit.stop(other);

    journal.failNextPersisted(
        PersistenceId.of(EndpointStatsEntity.ENTITY_TYPE_KEY.name(), id).id());
    TestProbe<StatusReply<EndpointStatsEntity.IngestAck>> failed = testKit.createTestProbe();
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 3, 4), failed.ref()));
    failed.expectNoMessage(Duration.ofMillis(300));

    entity.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 3, 4), replies.ref()));
    assertEquals(
        new EndpointStatsEntity.IngestAck(0, 0, 200, 0, 0),
        replies.receiveMessage(Duration.ofSeconds(5)).getValue(),
        "the restarted entity recovered batches 3 and 4: their replay is duplicates");
    entity.tell(new EndpointStatsEntity.Ingest(batches("gw", path, 5, 5), replies.ref()));
    StatusReply<EndpointStatsEntity.IngestAck> next = replies.receiveMessage(Duration.ofSeconds(5));
    assertTrue(next.isSuccess(), "batch 5 after the replay: " + next);
    assertEquals(100, next.getValue().accepted());
  }

  @Test
  void recoveryRebuildsTheSameState() {
    ingest(traffic("/v1/chat/completions", 0, 25, 40, 0.3, 100));
    EndpointStatsState before = kit.getState();
    kit.restart();
    assertEquals(before, kit.getState());
  }

  @Test
  void eventTimeEventsAreDeterministicOnReplayAndOldPanesGo() {
    EndpointStatsState s =
        EndpointStatsState.empty(ID)
            .apply(
                new StatsIngested(
                    ID,
                    traffic("/v1/x", 0, 3, 10, 0, 1).parts().get(0).windows(),
                    30,
                    0,
                    T0 + 2_900,
                    T0 - 2_100,
                    Map.of(),
                    0,
                    T0 + 2_901),
                SETTINGS)
            .apply(new EndpointStatsEvent.EventTimeAdvanced(ID, T0 + 35_000), SETTINGS);
    assertEquals(T0 + 35_000, s.evaluatedAt());
    assertEquals(T0 + 35_000 - SETTINGS.allowedLatenessMs(), s.watermark());
    assertEquals(List.of(10L, 10L, 10L), s.panes().stream().map(WindowStats::count).toList());
    // a minute later the panes are gone; the minute stays for the longest window (15 min)
    s = s.apply(new EndpointStatsEvent.EventTimeAdvanced(ID, T0 + 100_000), SETTINGS);
    assertEquals(List.of(), s.panes());
    assertEquals(List.of(30L), s.minutes().stream().map(WindowStats::count).toList());
    // a legacy WatermarkAdvanced moves event time the same way
    assertEquals(
        T0 + 200_000, s.apply(new WatermarkAdvanced(ID, T0 + 200_000), SETTINGS).evaluatedAt());
  }

  /** A rollup history in memory: what the entity writes, and minutes written before it. */
  private static final class MemoryHistory implements RollupSink {
    final java.util.concurrent.ConcurrentSkipListMap<Long, WindowStats> minutes =
        new java.util.concurrent.ConcurrentSkipListMap<>();

    @Override
    public java.util.concurrent.CompletionStage<Void> write(String entity, List<WindowStats> ms) {
      ms.forEach(m -> minutes.put(m.start(), m));
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public java.util.concurrent.CompletionStage<List<WindowStats>> read(
        String entity, long from, long to) {
      return java.util.concurrent.CompletableFuture.completedFuture(
          List.copyOf(minutes.subMap(from, to).values()));
    }
  }

  /**
   * Alerts of a day-over-day rule on a surge, with the history holding (or not) the same minutes
   * yesterday at 100 requests/s, for an entity restarted before the surge.
   */
  private List<Alert> dayOverDayAfterARestart(boolean yesterdayInHistory) throws Exception {
    RuleCache dod = new RuleCache();
    dod.offer(
        RuleSet.EMPTY.with(
            io.autoglm.monitor.protocols.rule.RuleCodec.parse(
                io.autoglm.monitor.protocols.json.Json.mapper()
                    .readTree(
                        "{\"kind\": \"change\", \"metric\": \"qps\", \"threshold\": 0.5,"
                            + " \"window\": \"1m\", \"endpoint\": \"/v1/chat/*\"}"),
                "dod")));
    MemoryHistory history = new MemoryHistory();
    if (yesterdayInHistory) {
      long day = 86_400_000L;
      for (long m = T0 - day - 10 * 60_000; m < T0 - day + 10 * 60_000; m += 60_000) {
        history.minutes.put(
            m,
            new WindowStats(
                m, m + 60_000, 6000, 0, 6000, 0, 0, 0, 0, 0, LatencySketch.empty(), 0, 0, 0, 0));
      }
    }
    var dodKit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            EndpointStatsEntity.create(
                "default/v1/chat/dod",
                new EndpointStatsEntity.Dependencies(
                    SETTINGS, dod, alerts.ref(), clock, new StatsCounters(), history)));
    dodKit.<StatusReply<EndpointStatsEntity.IngestAck>>runCommand(
        replyTo ->
            new EndpointStatsEntity.Ingest(traffic("/v1/chat/dod", 0, 12, 100, 0.0, 100), replyTo));
    dodKit.restart(); // reads yesterday back for the rule, if the history has it
    var surge =
        dodKit.<StatusReply<EndpointStatsEntity.IngestAck>>runCommand(
            replyTo ->
                new EndpointStatsEntity.Ingest(
                    traffic("/v1/chat/dod", 12, 40, 300, 0.0, 100), replyTo));
    return surge.events().stream()
        .filter(e -> e instanceof AlertFired)
        .map(e -> ((AlertFired) e).alert())
        .toList();
  }

  @Test
  void aRestartedEntityComparesWithYesterdayReadBackFromTheHistory() throws Exception {
    List<Alert> fired = dayOverDayAfterARestart(true);
    assertEquals(1, fired.size(), fired.toString());
    assertEquals("dod", fired.get(0).ruleId());
    assertTrue(
        fired
            .get(0)
            .explanation()
            .matches("qps \\d+ vs 100 at this time yesterday \\(\\+\\d+ %\\)"),
        fired.get(0).explanation());
    assertEquals(List.of(), dayOverDayAfterARestart(false), "nothing to compare with");
  }
}
