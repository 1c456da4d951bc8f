package io.autoglm.monitor.sharding.ips;

import static io.autoglm.monitor.sharding.TestTraffic.SETTINGS;
import static io.autoglm.monitor.sharding.TestTraffic.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpAlertChanged;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
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
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SourceIpStatsEntityTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final String IP = "203.0.113.7";

  private final ManualClock clock = new ManualClock(TestTraffic.NOW);
  private final RuleCache rules = new RuleCache();
  private final TestProbe<Topic.Command<Alert>> alerts = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<
          SourceIpStatsEntity.Command, SourceIpStatsEvent, SourceIpStatsState>
      kit(String id, TestProbe<ClusterSharding.ShardCommand> shard) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        SourceIpStatsEntity.create(
            id,
            shard == null ? null : shard.ref(),
            new SourceIpStatsEntity.Dependencies(
                SETTINGS, rules, alerts.ref(), clock, RollupSink.NONE)));
  }

  /** Batch {@code seq} of agent gw: {@code perSecond} requests a second from IP over seconds. */
  private static IpDelta batch(long seq, int fromSec, int toSec, int perSecond, int status) {
    DeltaAggregator agg =
        new DeltaAggregator(
            SETTINGS,
            PathNormalizer.DEFAULT,
            (service, ip) -> ip.equals(IP),
            "default",
            TestTraffic.NOW);
    agg.beginBatch("gw", 1, seq);
    for (int s = fromSec; s < toSec; s++) {
      for (int i = 0; i < perSecond; i++) {
        agg.add(
            CaptureRecord.of(
                T0 + s * 1000L + i * (1000L / perSecond),
                i % 4 == 0 ? "/v1/models" : "/v1/chat/completions",
                status,
                10,
                IP));
        agg.add(CaptureRecord.of(T0 + s * 1000L + i, "/v1/chat/completions", 200, 10, "10.0.0.9"));
      }
    }
    List<IpDelta> ips = agg.drainIps();
    assertEquals(1, ips.size(), "only the tracked IP gets a delta");
    return ips.get(0);
  }

  private static IngestAck ingest(
      EventSourcedBehaviorTestKit<
              SourceIpStatsEntity.Command, SourceIpStatsEvent, SourceIpStatsState>
          kit,
      IpDelta delta) {
    return kit.<StatusReply<IngestAck>>runCommand(
            replyTo -> new SourceIpStatsEntity.Ingest(delta, replyTo))
        .reply()
        .getValue();
  }

  @Test
  void countsEveryRecordOnceAcrossReplaysAndARestart() {
    var kit = kit("default/" + IP, null);
    assertEquals(new IngestAck(200, 0, 0, 0, 0), ingest(kit, batch(1, 0, 2, 100, 200)));
    assertEquals(new IngestAck(0, 0, 200, 0, 0), ingest(kit, batch(1, 0, 2, 100, 200)));
    assertEquals(new IngestAck(100, 0, 0, 0, 0), ingest(kit, batch(2, 2, 3, 100, 429)));
    SourceIpStatsState s = kit.getState();
    assertEquals(300, s.accepted());
    assertEquals(3, s.panes().size());
    assertEquals(100, s.minutes().get(0).throttled());
    assertEquals(75L * 3, s.endpoints().get("/v1/chat/completions"));
    kit.restart();
    assertEquals(s, kit.getState(), "recovery rebuilds the same state");
  }

  @Test
  void aRuleOnSourceIpsFiresForAFloodingIp() {
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
                Glob.of("*"))));
    var kit = kit("default/" + IP, null);
    var result =
        kit.<StatusReply<IngestAck>>runCommand(
            replyTo -> new SourceIpStatsEntity.Ingest(batch(1, 0, 20, 100, 200), replyTo));
    AlertFired fired =
        result.events().stream()
            .filter(e -> e instanceof IpAlertChanged c && c.change() instanceof AlertFired)
            .map(e -> (AlertFired) ((IpAlertChanged) e).change())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no alert in " + result.events()));
    assertEquals(IP, fired.alert().sourceIp());
    assertEquals(100.0, fired.alert().value(), 1e-9);
    // 100 a second: above 50 from the first point whose 5 s window holds 3 s of it; 5 s later
    assertEquals(T0 + 3_000, fired.alert().startsAt());
    assertEquals(T0 + 8_000, fired.alert().windowEnd());
    assertTrue(fired.alert().summary().contains(IP), fired.alert().summary());
    alerts.expectMessageClass(Topic.publish(fired.alert()).getClass());
  }

  @Test
  void anIdleIpAsksToBePassivated() {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    var kit = kit("default/198.51.100.1", shard);
    kit.runCommand(SourceIpStatsEntity.GetStats::new); // recovered: idle from now on
    shard.expectNoMessage(Duration.ofMillis(500));
    clock.advance(SETTINGS.passivateAfter().toMillis() + 1);
    shard.expectMessageClass(ClusterSharding.Passivate.class, Duration.ofSeconds(5));
    assertEquals(0, kit.getState().accepted());
  }
}
