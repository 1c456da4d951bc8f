package io.autoglm.monitor.sharding.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.event.RuleBookEvent;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.TestTraffic;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RuleBookEntityTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final ThresholdRule RULE = rule("r1");

  /** A QPS rule on every endpoint, {@code id}. */
  private static ThresholdRule rule(String id) {
    return new ThresholdRule(
        id, Metric.QPS, Comparison.LT, 1, 0, 0, Severity.WARNING, Glob.of("*"), Glob.of("*"), "");
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void upsertsAndDeletesArePersistedVersionedAndPublished() {
    TestProbe<Topic.Command<RuleSet>> topic = testKit.createTestProbe();
    var kit =
        EventSourcedBehaviorTestKit.<RuleBookEntity.Command, RuleBookEvent, RuleSet>create(
            testKit.system(),
            RuleBookEntity.create(
                "global", topic.ref(), TestTraffic.SETTINGS.restartBackoff(), 100, false, 1000));

    var added =
        kit.<StatusReply<RuleSet>>runCommand(replyTo -> new RuleBookEntity.Upsert(RULE, replyTo));
    assertEquals(new RuleBookEvent.RuleUpserted(RULE), added.event());
    assertEquals(1, added.reply().getValue().version());
    topic.expectMessageClass(Topic.publish(added.state()).getClass());

    var missing =
        kit.<StatusReply<RuleSet>>runCommand(replyTo -> new RuleBookEntity.Delete("nope", replyTo));
    assertTrue(missing.reply().isError());
    assertTrue(missing.hasNoEvents());

    var deleted =
        kit.<StatusReply<RuleSet>>runCommand(replyTo -> new RuleBookEntity.Delete("r1", replyTo));
    assertEquals(2, deleted.reply().getValue().version());
    assertTrue(deleted.state().rules().isEmpty());

    kit.restart();
    assertEquals(deleted.state(), kit.getState());
  }

  @Test
  void aFullRuleBookRefusesANewRuleAndStillTakesChangesToItsRules() {
    TestProbe<Topic.Command<RuleSet>> topic = testKit.createTestProbe();
    var kit =
        EventSourcedBehaviorTestKit.<RuleBookEntity.Command, RuleBookEvent, RuleSet>create(
            testKit.system(),
            RuleBookEntity.create(
                "full", topic.ref(), TestTraffic.SETTINGS.restartBackoff(), 100, false, 2));
    for (String id : new String[] {"r1", "r2"}) {
      ThresholdRule rule = rule(id);
      assertTrue(
          kit.<StatusReply<RuleSet>>runCommand(r -> new RuleBookEntity.Upsert(rule, r))
              .reply()
              .isSuccess());
    }
    var third = kit.<StatusReply<RuleSet>>runCommand(r -> new RuleBookEntity.Upsert(rule("r3"), r));
    assertTrue(third.reply().isError());
    assertTrue(third.reply().getError().getMessage().contains("full (2 rules"), "says why");
    assertTrue(third.hasNoEvents());
    var changed =
        kit.<StatusReply<RuleSet>>runCommand(r -> new RuleBookEntity.Upsert(rule("r2"), r));
    assertTrue(changed.reply().isSuccess(), "an existing rule can still change");
  }

  @Test
  void aFreshRuleBookInstallsTheDefaultRulesOnceAndADeletedOneStaysDeleted()
      throws InterruptedException {
    TestProbe<Topic.Command<RuleSet>> topic = testKit.createTestProbe();
    var kit =
        EventSourcedBehaviorTestKit.<RuleBookEntity.Command, RuleBookEvent, RuleSet>create(
            testKit.system(),
            RuleBookEntity.create(
                "global", topic.ref(), TestTraffic.SETTINGS.restartBackoff(), 100, true, 1000));
    // installed once recovered, by a command the entity sends itself
    RuleSet installed = kit.getState();
    for (long until = System.nanoTime() + 5_000_000_000L;
        installed.rules().isEmpty() && System.nanoTime() < until; ) {
      Thread.sleep(10);
      installed = kit.getState();
    }
    assertEquals(java.util.Set.of("auto", "auto-ip"), installed.rules().keySet());
    assertEquals(DefaultRules.freshInstall().get(0), installed.rules().get("auto"));
    assertEquals(
        io.autoglm.monitor.protocols.rule.RuleScope.IP, installed.rules().get("auto-ip").scope());
    topic.expectMessageClass(Topic.publish(installed).getClass());

    var deleted =
        kit.<StatusReply<RuleSet>>runCommand(replyTo -> new RuleBookEntity.Delete("auto", replyTo));
    assertEquals(java.util.Set.of("auto-ip"), deleted.state().rules().keySet());
    kit.restart();
    Thread.sleep(300); // time enough for an install (above it took milliseconds)
    assertEquals(deleted.state(), kit.getState(), "not installed again after a restart");
    deleted =
        kit.<StatusReply<RuleSet>>runCommand(
            replyTo -> new RuleBookEntity.Delete("auto-ip", replyTo));
    kit.restart();
    Thread.sleep(300);
    assertTrue(kit.getState().rules().isEmpty(), "nor once the book is empty again");
  }

  /** {@code rule(id)} with threshold {@code t}. */
  private static ThresholdRule rule(String id, double t) {
    return new ThresholdRule(
        id, Metric.QPS, Comparison.LT, t, 0, 0, Severity.WARNING, Glob.of("*"), Glob.of("*"), "");
  }

  @Test
  void replaceWritesOnlyTheDifferenceAtOnceAndRemovesRulesNotInTheFile() {
    TestProbe<Topic.Command<RuleSet>> topic = testKit.createTestProbe();
    var kit =
        EventSourcedBehaviorTestKit.<RuleBookEntity.Command, RuleBookEvent, RuleSet>create(
            testKit.system(),
            RuleBookEntity.create(
                "replace", topic.ref(), TestTraffic.SETTINGS.restartBackoff(), 100, false, 3));
    var first =
        kit.<StatusReply<RuleBookEntity.Replaced>>runCommand(
            r -> new RuleBookEntity.Replace(java.util.List.of(rule("a"), rule("b")), r));
    assertEquals(2, first.events().size());
    assertEquals(RuleSet.EMPTY, first.reply().getValue().before());
    var next =
        kit.<StatusReply<RuleBookEntity.Replaced>>runCommand(
            r -> new RuleBookEntity.Replace(java.util.List.of(rule("b", 2), rule("c")), r));
    assertEquals(
        java.util.List.of(
            new RuleBookEvent.RuleUpserted(rule("b", 2)),
            new RuleBookEvent.RuleUpserted(rule("c")),
            new RuleBookEvent.RuleDeleted("a")),
        next.events());
    assertEquals(java.util.Set.of("b", "c"), next.state().rules().keySet());
    assertEquals(5, next.state().version());
    var same =
        kit.<StatusReply<RuleBookEntity.Replaced>>runCommand(
            r -> new RuleBookEntity.Replace(java.util.List.of(rule("b", 2), rule("c")), r));
    assertTrue(same.hasNoEvents(), "the same file again writes nothing");
    var tooMany =
        kit.<StatusReply<RuleBookEntity.Replaced>>runCommand(
            r ->
                new RuleBookEntity.Replace(
                    java.util.List.of(rule("a"), rule("b"), rule("c"), rule("d")), r));
    assertTrue(tooMany.reply().isError());
    assertTrue(tooMany.hasNoEvents());
  }

  @Test
  void installAddsDefaultsOnAFreshBookThenOnlyTheConfiguredRulesThatDiffer() {
    TestProbe<Topic.Command<RuleSet>> topic = testKit.createTestProbe();
    var kit =
        EventSourcedBehaviorTestKit.<RuleBookEntity.Command, RuleBookEvent, RuleSet>create(
            testKit.system(),
            RuleBookEntity.create(
                "install", topic.ref(), TestTraffic.SETTINGS.restartBackoff(), 100, true, 1000));
    var installed =
        kit.<StatusReply<RuleSet>>runCommand(
            r -> new RuleBookEntity.Install(java.util.List.of(rule("cfg")), r));
    assertEquals(
        java.util.Set.of("auto", "auto-ip", "cfg"), installed.reply().getValue().rules().keySet());
    var upsert =
        kit.<StatusReply<RuleSet>>runCommand(r -> new RuleBookEntity.Upsert(rule("api"), r));
    assertTrue(upsert.reply().isSuccess());
    var again =
        kit.<StatusReply<RuleSet>>runCommand(
            r -> new RuleBookEntity.Install(java.util.List.of(rule("cfg")), r));
    assertTrue(again.hasNoEvents(), "another node's start with the same file writes nothing");
    var changed =
        kit.<StatusReply<RuleSet>>runCommand(
            r -> new RuleBookEntity.Install(java.util.List.of(rule("cfg", 7)), r));
    assertEquals(
        java.util.List.of(new RuleBookEvent.RuleUpserted(rule("cfg", 7))), changed.events());
    assertEquals(
        java.util.Set.of("auto", "auto-ip", "cfg", "api"),
        changed.state().rules().keySet(),
        "rules from the API stay");
  }

  @Test
  void theCacheOnlyMovesForward() {
    RuleCache cache = new RuleCache();
    RuleSet v1 = RuleSet.EMPTY.with(RULE);
    RuleSet v2 = v1.without("r1");
    assertTrue(cache.offer(v2));
    assertEquals(false, cache.offer(v1), "an older set arriving late is ignored");
    assertEquals(v2, cache.current());
  }
}
