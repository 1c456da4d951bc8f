package io.autoglm.monitor.sharding.ips;

import static io.autoglm.monitor.sharding.TestTraffic.SETTINGS;
import static io.autoglm.monitor.sharding.TestTraffic.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpAlertChanged;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleScope;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.ManualClock;
import io.autoglm.monitor.sharding.TestTraffic;
import io.autoglm.monitor.sharding.catalog.PathNormalizer;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import io.autoglm.monitor.sharding.stats.DeltaAggregator;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity.IngestAck;
import io.autoglm.monitor.sharding.stats.RollupSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SourceIpGroupEntityTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final String IP = "203.0.113.7";
  private static final String OTHER_IP = "2001:db8::7";
  private static final String GROUP = "default/g0";
  private static final Duration IDLE = Duration.ofMinutes(10);

  private final ManualClock clock = new ManualClock(TestTraffic.NOW);
  private final RuleCache rules = new RuleCache();
  private final TestProbe<Topic.Command<Alert>> alerts = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<
          SourceIpGroupEntity.Command, SourceIpStatsEvent, SourceIpGroupState>
      kit(TestProbe<ClusterSharding.ShardCommand> shard) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        SourceIpGroupEntity.create(
            GROUP,
            shard == null ? null : shard.ref(),
            new SourceIpGroupEntity.Dependencies(
                SETTINGS,
                rules,
                alerts.ref(),
                clock,
                RollupSink.NONE,
                IDLE,
                Duration.ofSeconds(10))));
  }

  /** An ingest-side aggregator that tracks IP and OTHER_IP. */
  private static DeltaAggregator aggregator() {
    return new DeltaAggregator(
        SETTINGS,
        PathNormalizer.DEFAULT,
        (service, ip) -> ip.equals(IP) || ip.equals(OTHER_IP),
        "default",
        TestTraffic.NOW);
  }

  /**
   * Batches {@code seqs} of agent gw, each {@code perSecond} requests a second from IP and from
   * OTHER_IP over its seconds (batch n: seconds n*span .. n*span+span), and untracked traffic.
   */
  private static IpGroupDelta batches(long[] seqs, int span, int perSecond, int status) {
    DeltaAggregator agg = aggregator();
    for (long seq : seqs) {
      agg.beginBatch("gw", 1, seq);
      for (int s = (int) seq * span; s < (seq + 1) * span; s++) {
        for (int i = 0; i < perSecond; i++) {
          long ts = T0 + s * 1000L + i * (1000L / perSecond);
          String path = i % 4 == 0 ? "/v1/models" : "/v1/chat/completions";
          agg.add(CaptureRecord.of(ts, path, status, 10, IP).withApiKeyId("key-" + i % 3));
          agg.add(CaptureRecord.of(ts, path, 200, 10, OTHER_IP));
          agg.add(CaptureRecord.of(ts, path, 200, 10, "10.0.0.9"));
        }
      }
    }
    List<IpDelta> ips = agg.drainIps();
    assertEquals(2, ips.size(), "only the tracked IPs get deltas");
    return new IpGroupDelta(IpGroupKey.fromEntityId(GROUP), ips);
  }

  private static IpGroupDelta batch(long seq, int span, int perSecond, int status) {
    return batches(new long[] {seq}, span, perSecond, status);
  }

  private static IngestAck ingest(
      EventSourcedBehaviorTestKit<
              SourceIpGroupEntity.Command, SourceIpStatsEvent, SourceIpGroupState>
          kit,
      IpGroupDelta delta) {
    return kit.<StatusReply<IngestAck>>runCommand(
            replyTo -> new SourceIpGroupEntity.Ingest(delta, replyTo))
        .reply()
        .getValue();
  }

  private static String id(String ip) {
    return "default/" + ip;
  }

  @Test
  void countsEveryRecordOfEveryIpOnceAcrossReplaysAndARestart() {
    var kit = kit(null);
    // batch 0: seconds 0-1 at 100 a second, from each of the two IPs
    assertEquals(new IngestAck(400, 0, 0, 0, 0), ingest(kit, batch(0, 2, 100, 200)));
    assertEquals(new IngestAck(0, 0, 400, 0, 0), ingest(kit, batch(0, 2, 100, 200)), "replay");
    assertEquals(new IngestAck(400, 0, 0, 0, 0), ingest(kit, batch(1, 2, 100, 429)));
    SourceIpGroupState s = kit.getState();
    SourceIpStatsState ip = s.ip(id(IP));
    assertEquals(400, ip.accepted());
    assertEquals(4, ip.panes().size());
    assertEquals(200, ip.minutes().get(0).throttled());
    assertEquals(75L * 4, ip.endpoints().get("/v1/chat/completions"));
    assertEquals(java.util.Map.of("key-0", 136L, "key-1", 132L, "key-2", 132L), ip.apiKeys());
    assertEquals(java.util.Map.of(), s.ip(id(OTHER_IP)).apiKeys(), "it named no key");
    assertEquals(400, s.ip(id(OTHER_IP)).accepted());
    assertEquals(0, s.ip(id(OTHER_IP)).minutes().get(0).throttled());
    assertEquals(TestTraffic.NOW, ip.lastReceivedAt());
    kit.restart();
    assertEquals(s, kit.getState(), "recovery rebuilds the same state");
  }

  @Test
  void aReplayedBatchIsRecognisedEvenIfItFirstCameWithOthers() {
    var kit = kit(null);
    // one flush carried batches 2, 3 and 4; the agent missed the ack and replays 3 and 4, then 5
    assertEquals(
        new IngestAck(1200, 0, 0, 0, 0), ingest(kit, batches(new long[] {2, 3, 4}, 1, 200, 200)));
    assertEquals(
        new IngestAck(0, 0, 800, 0, 0), ingest(kit, batches(new long[] {3, 4}, 1, 200, 200)));
    assertEquals(
        new IngestAck(400, 0, 400, 0, 0), ingest(kit, batches(new long[] {4, 5}, 1, 200, 200)));
    assertEquals(800, kit.getState().ip(id(IP)).accepted());
  }

  @Test
  void aRuleOnSourceIpsFiresForAFloodingIpOnly() {
    rules.offer(
        RuleSet.EMPTY.with(
            new ThresholdRule(
                "ip-flood",
                Metric.QPS,
                Comparison.GT,
                50,
                5_000,
                0,
                Severity.CRITICAL,
                Glob.of("*"),
                Glob.of("*"),
                "",
                5_000,
                RuleScope.IP,
                Glob.of("203.*"))));
    var kit = kit(null);
    var result =
        kit.<StatusReply<IngestAck>>runCommand(
            replyTo -> new SourceIpGroupEntity.Ingest(batch(0, 20, 100, 200), replyTo));
    List<AlertFired> fired = new ArrayList<>();
    result.events().stream()
        .filter(e -> e instanceof IpAlertChanged c && c.change() instanceof AlertFired)
        .forEach(e -> fired.add((AlertFired) ((IpAlertChanged) e).change()));
    assertEquals(1, fired.size(), "the rule names 203.* only: " + result.events());
    Alert alert = fired.get(0).alert();
    assertEquals(IP, alert.sourceIp());
    assertEquals(100.0, alert.value(), 1e-9);
    // 100 a second: above 50 from the first point whose 5 s window holds 3 s of it; 5 s later
    assertEquals(T0 + 3_000, alert.startsAt());
    assertEquals(T0 + 8_000, alert.windowEnd());
    assertTrue(alert.summary().contains(IP), alert.summary());
    alerts.expectMessageClass(Topic.publish(alert).getClass());
    assertTrue(kit.getState().ip(id(IP)).alertActive());
  }

  /**
   * One batch over seconds 0..{@code seconds}: each second {@code perSecond} requests from IP with
   * {@code ipStatus}, from OTHER_IP and from 20 untracked addresses with {@code othersStatus}; with
   * the service's counts of the batch, as the ingest writer sends them.
   */
  private static IpGroupDelta withService(
      int seconds, int perSecond, int ipStatus, int othersStatus) {
    DeltaAggregator agg = aggregator();
    agg.beginBatch("gw", 1, 0);
    for (int s = 0; s < seconds; s++) {
      for (int i = 0; i < perSecond; i++) {
        long ts = T0 + s * 1000L + i * (1000L / perSecond);
        agg.add(CaptureRecord.of(ts, "/v1/chat/completions", ipStatus, 10, IP));
        agg.add(CaptureRecord.of(ts, "/v1/chat/completions", othersStatus, 10, OTHER_IP));
        for (int k = 0; k < 20; k++) {
          agg.add(CaptureRecord.of(ts, "/v1/chat/completions", othersStatus, 10, "10.0.0." + k));
        }
      }
    }
    var endpoints = agg.drain();
    var ips = agg.drainIps();
    IpPart service =
        IpAggregator.serviceParts(endpoints, java.util.Set.of("default")).get("default");
    assertEquals(22L * seconds * perSecond, service.records(), "the service's every request");
    return new IpGroupDelta(IpGroupKey.fromEntityId(GROUP), ips, Long.MAX_VALUE, List.of(service));
  }

  private static List<Alert> firedBy(
      EventSourcedBehaviorTestKit.CommandResultWithReply<
              SourceIpGroupEntity.Command, SourceIpStatsEvent, SourceIpGroupState, ?>
          result) {
    List<Alert> fired = new ArrayList<>();
    result.events().stream()
        .filter(e -> e instanceof IpAlertChanged c && c.change() instanceof AlertFired)
        .forEach(e -> fired.add(((AlertFired) ((IpAlertChanged) e).change()).alert()));
    return fired;
  }

  @Test
  void anErrorRateEveryClientSharesIsAnOutageNotAnIpsAlert() throws Exception {
    rules.offer(
        RuleSet.EMPTY.with(
            RuleCodec.parse(
                Json.mapper()
                    .readTree(
                        "{\"scope\": \"ip\", \"metric\": \"error_rate\", \"op\": \">\","
                            + " \"threshold\": 0.2, \"window\": \"5s\"}"),
                "ip-errors")));
    // every client fails: the service's outage, which its endpoints' alerts report
    var outage = kit(null);
    var all =
        outage.<StatusReply<IngestAck>>runCommand(
            replyTo -> new SourceIpGroupEntity.Ingest(withService(20, 20, 500, 500), replyTo));
    assertEquals(List.of(), firedBy(all), "no IP is to blame: " + all.events());
    assertEquals(
        20L * 20 * 22, outage.getState().service().accepted(), "the group keeps the service's");
    outage.restart();
    assertEquals(20L * 20 * 22, outage.getState().service().accepted(), "and recovers them");

    // one client fails, the others do not: that client's alert, saying what the others saw
    var one = kit(null);
    var alone =
        one.<StatusReply<IngestAck>>runCommand(
            replyTo -> new SourceIpGroupEntity.Ingest(withService(20, 20, 500, 200), replyTo));
    List<Alert> fired = firedBy(alone);
    assertEquals(1, fired.size(), alone.events().toString());
    assertEquals(IP, fired.get(0).sourceIp());
    assertEquals(
        "error_rate 1 > 0.2; the rest of the service 0 over the same window",
        fired.get(0).explanation());
  }

  @Test
  void idleIpsAreForgottenUnlessARuleIsFiringForThem() {
    // fires while the IP sends less than 1,000 requests a second: for good once it is quiet
    rules.offer(
        RuleSet.EMPTY.with(
            new ThresholdRule(
                "ip-quiet",
                Metric.QPS,
                Comparison.LT,
                1_000,
                0,
                0,
                Severity.INFO,
                Glob.of("*"),
                Glob.of("*"),
                "",
                5_000,
                RuleScope.IP,
                Glob.of("203.*"))));
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    var kit = kit(shard);
    ingest(kit, batch(0, 10, 100, 200));
    assertTrue(kit.getState().ip(id(IP)).alertActive());
    clock.advance(IDLE.toMillis() + 1);
    awaitState(kit, s -> s.ip(id(OTHER_IP)) == null);
    SourceIpStatsState kept = kit.getState().ip(id(IP));
    assertNotNull(kept, "kept while its rule fires");
    assertTrue(kept.alertActive());
    shard.expectNoMessage(Duration.ofMillis(500)); // a firing rule keeps the group up
  }

  @Test
  void anIdleGroupStopsAndComesBackFromCassandraWithItsIps() {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    var kit = kit(shard);
    ingest(kit, batch(0, 10, 100, 200));
    SourceIpGroupState before = kit.getState();
    shard.expectNoMessage(Duration.ofMillis(300));
    clock.advance(SETTINGS.passivateAfter().toMillis() + 1); // idle, not yet for autoglm.ips.idle
    shard.expectMessageClass(ClusterSharding.Passivate.class, Duration.ofSeconds(5));
    kit.restart();
    assertEquals(before.ips().keySet(), kit.getState().ips().keySet());
    var reply =
        kit.<SourceIpGroupEntity.IpStatsReply>runCommand(
                replyTo -> new SourceIpGroupEntity.GetStats(id(IP), replyTo))
            .reply();
    assertEquals(1_000, reply.view().accepted(), "its counts came back");
    clock.advance(IDLE.toMillis());
    awaitState(kit, s -> s.ips().isEmpty()); // then forgotten once idle for autoglm.ips.idle
    var gone =
        kit.<SourceIpGroupEntity.IpStatsReply>runCommand(
                replyTo -> new SourceIpGroupEntity.GetStats(id(IP), replyTo))
            .reply();
    assertNull(gone.view(), "forgotten");
  }

  @Test
  void aGroupKeepsThousandsOfIpsInOneWrite() {
    var kit = kit(null);
    Set<String> tracked = new java.util.HashSet<>();
    DeltaAggregator agg =
        new DeltaAggregator(
            SETTINGS, PathNormalizer.DEFAULT, (service, ip) -> true, "default", TestTraffic.NOW);
    agg.beginBatch("gw", 1, 0);
    for (int i = 0; i < 5_000; i++) {
      String ip = "100.64." + (i >> 8) + "." + (i & 255);
      tracked.add(id(ip));
      agg.add(CaptureRecord.of(T0 + i, "/v1/chat/completions", 200, 10, ip));
    }
    var result =
        kit.<StatusReply<IngestAck>>runCommand(
            replyTo ->
                new SourceIpGroupEntity.Ingest(
                    new IpGroupDelta(IpGroupKey.fromEntityId(GROUP), agg.drainIps()), replyTo));
    assertEquals(new IngestAck(5_000, 0, 0, 0, 0), result.reply().getValue());
    assertEquals(1, result.events().size(), "one event for the whole group");
    assertEquals(tracked, kit.getState().ips().keySet());
    kit.restart();
    assertEquals(tracked, kit.getState().ips().keySet());
  }

  private static void awaitState(
      EventSourcedBehaviorTestKit<
              SourceIpGroupEntity.Command, SourceIpStatsEvent, SourceIpGroupState>
          kit,
      java.util.function.Predicate<SourceIpGroupState> done) {
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              SourceIpGroupState s = kit.getState();
              assertTrue(done.test(s), "not reached: " + s.ips().keySet());
              return null;
            });
  }

  @Test
  void theGroupOfAnIpIsStableAndSpreads() {
    IpKey ip = new IpKey("default", IP);
    assertEquals(IpGroupKey.of(ip, 64), IpGroupKey.of(new IpKey("default", IP), 64));
    int[] perGroup = new int[64];
    for (int i = 0; i < 64_000; i++) {
      perGroup[
          IpGroupKey.of(new IpKey("default", "10.0." + (i >> 8) + "." + (i & 255)), 64).group()]++;
    }
    for (int n : perGroup) {
      assertTrue(
          n > 700 && n < 1300, "about 1,000 a group: " + java.util.Arrays.toString(perGroup));
    }
    assertEquals("edge.a/g63", new IpGroupKey("edge.a", 63).entityId());
    assertEquals(new IpGroupKey("edge.a", 63), IpGroupKey.fromEntityId("edge.a/g63"));
  }
}
