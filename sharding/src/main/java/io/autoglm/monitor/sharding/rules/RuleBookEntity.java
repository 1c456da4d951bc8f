package io.autoglm.monitor.sharding.rules;

import io.autoglm.monitor.persistence.event.RuleBookEvent;
import io.autoglm.monitor.persistence.event.RuleBookEvent.RuleDeleted;
import io.autoglm.monitor.persistence.event.RuleBookEvent.RuleUpserted;
import io.autoglm.monitor.persistence.event.RuleBookEvent.WatchDeleted;
import io.autoglm.monitor.persistence.event.RuleBookEvent.WatchUpserted;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.rule.IpWatch;
import io.autoglm.monitor.protocols.rule.RuleDiff;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.RestartBackoff;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The cluster's rule book: one sharded, event-sourced entity ({@link #ENTITY_ID}) that owns every
 * rule and the source-IP watch list. Each change is persisted, then the whole new {@link RuleSet}
 * is published on the {@link #TOPIC} so every node's {@link RuleCache} follows.
 *
 * <p>One for the whole cluster, also when it spans data centers (sharding is per data center): it
 * lives in one of them, its home, and the nodes of the others reach it through a proxy.
 */
public final class RuleBookEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        RuleBookEntity.Command, RuleBookEvent, RuleSet> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "RuleBook");
  public static final String ENTITY_ID = "global";
  public static final String TOPIC = "autoglm-rules";

  public sealed interface Command extends CborSerializable {}

  public record Upsert(ThresholdRule rule, ActorRef<StatusReply<RuleSet>> replyTo)
      implements Command {}

  public record Delete(String ruleId, ActorRef<StatusReply<RuleSet>> replyTo) implements Command {}

  public record Get(ActorRef<RuleSet> replyTo) implements Command {}

  /**
   * Replaces the whole rule set with {@code rules} (a rules file): rules not in it are deleted,
   * rules equal to the stored ones are left as they are. All changes are persisted as one write, so
   * no node sees half of a file.
   */
  public record Replace(List<ThresholdRule> rules, ActorRef<StatusReply<Replaced>> replyTo)
      implements Command {}

  /** The answer to {@link Replace}: the rule set before and after. */
  public record Replaced(RuleSet before, RuleSet after) implements CborSerializable {}

  /**
   * Creates or updates {@code rules} (a node's configured rules, {@code autoglm.rules.install}),
   * leaving every other rule alone; a rule equal to the stored one is not written again, so every
   * node of a cluster may send its configured rules at each start. On a rule book that never held
   * anything, the {@link DefaultRules} come first (when installed at all), as on any fresh start.
   */
  public record Install(List<ThresholdRule> rules, ActorRef<StatusReply<RuleSet>> replyTo)
      implements Command {}

  /**
   * Asks for the rule set if it is newer than version {@code known}: a node's periodic check that
   * it did not miss a change published on the topic (pub-sub drops what it sends before it knows a
   * node's subscriber, e.g. in a node's first seconds in the cluster).
   */
  public record GetIfNewer(long known, ActorRef<IfNewer> replyTo) implements Command {}

  /** The answer to {@link GetIfNewer}: the rule set, or null when the asker's is current. */
  public record IfNewer(RuleSet newer) implements CborSerializable {}

  public record UpsertWatch(IpWatch watch, ActorRef<StatusReply<RuleSet>> replyTo)
      implements Command {}

  public record DeleteWatch(String watchId, ActorRef<StatusReply<RuleSet>> replyTo)
      implements Command {}

  /** Sent to itself once recovered: installs {@link DefaultRules} if the book never held any. */
  enum InstallDefaults implements Command {
    INSTANCE
  }

  private final ActorRef<Topic.Command<RuleSet>> topic;
  private final int snapshotEvery;
  private final int maxRules;
  private final boolean installDefaults;
  private final ActorRef<Command> self;

  /**
   * Starts the rule book's sharding on this node: hosting it if the node is in {@code
   * homeDataCenter}, else as a proxy to that data center.
   */
  public static void init(
      ActorSystem<?> system, ActorRef<Topic.Command<RuleSet>> topic, String homeDataCenter) {
    RestartBackoff backoff = RestartBackoff.fromConfig(system.settings().config());
    int snapshotEvery = system.settings().config().getInt("autoglm.rules.snapshot-every");
    boolean installDefaults =
        system.settings().config().getBoolean("autoglm.rules.install-defaults");
    int maxRules = system.settings().config().getInt("autoglm.rules.max-rules");
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_TYPE_KEY,
                    ctx ->
                        create(
                            ctx.getEntityId(),
                            topic,
                            backoff,
                            snapshotEvery,
                            installDefaults,
                            maxRules))
                .withDataCenter(homeDataCenter));
  }

  /** The rule book, which lives in {@code homeDataCenter} (as {@link #init} was told). */
  public static EntityRef<Command> ref(ActorSystem<?> system, String homeDataCenter) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, ENTITY_ID, homeDataCenter);
  }

  /**
   * @param installDefaults whether a rule book that never held anything installs {@link
   *     DefaultRules} once it has recovered
   * @param maxRules the most rules the book holds: every one runs on every endpoint or IP it covers
   *     at every window, and the whole book goes to every node on each change
   */
  public static Behavior<Command> create(
      String entityId,
      ActorRef<Topic.Command<RuleSet>> topic,
      RestartBackoff backoff,
      int snapshotEvery,
      boolean installDefaults,
      int maxRules) {
    return Behaviors.setup(
        ctx ->
            new RuleBookEntity(
                PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId),
                topic,
                backoff,
                snapshotEvery,
                installDefaults,
                maxRules,
                ctx.getSelf()));
  }

  private RuleBookEntity(
      PersistenceId persistenceId,
      ActorRef<Topic.Command<RuleSet>> topic,
      RestartBackoff backoff,
      int snapshotEvery,
      boolean installDefaults,
      int maxRules,
      ActorRef<Command> self) {
    super(persistenceId, backoff.strategy());
    this.snapshotEvery = snapshotEvery;
    this.maxRules = maxRules;
    this.topic = topic;
    this.installDefaults = installDefaults;
    this.self = self;
  }

  @Override
  public SignalHandler<RuleSet> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (installDefaults && state.version() == 0) {
                self.tell(InstallDefaults.INSTANCE);
              }
            })
        .build();
  }

  /** Installs the default rules, unless the book holds (or ever held) anything by now. */
  private ReplyEffect<RuleBookEvent, RuleSet> onInstallDefaults(RuleSet state) {
    if (state.version() != 0) {
      return Effect().noReply();
    }
    List<RuleBookEvent> events = new ArrayList<>();
    DefaultRules.freshInstall().forEach(r -> events.add(new RuleUpserted(r)));
    return Effect().persist(events).thenRun(this::publish).thenNoReply();
  }

  @Override
  public RuleSet emptyState() {
    return RuleSet.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, RuleBookEvent, RuleSet> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Upsert.class, this::onUpsert)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Replace.class, this::onReplace)
        .onCommand(Install.class, this::onInstall)
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .onCommand(
            GetIfNewer.class,
            (state, cmd) ->
                Effect()
                    .reply(
                        cmd.replyTo(), new IfNewer(state.version() > cmd.known() ? state : null)))
        .onCommand(UpsertWatch.class, this::onUpsertWatch)
        .onCommand(DeleteWatch.class, this::onDeleteWatch)
        .onCommand(InstallDefaults.class, (state, cmd) -> onInstallDefaults(state))
        .build();
  }

  private ReplyEffect<RuleBookEvent, RuleSet> onUpsert(RuleSet state, Upsert cmd) {
    if (state.rules().size() >= maxRules && !state.rules().containsKey(cmd.rule().id())) {
      return Effect()
          .reply(
              cmd.replyTo(),
              StatusReply.error(
                  "the rule book is full ("
                      + maxRules
                      + " rules, autoglm.rules.max-rules): delete one, or cover several"
                      + " endpoints with one glob"));
    }
    return Effect()
        .persist(new RuleUpserted(cmd.rule()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), StatusReply::success);
  }

  private ReplyEffect<RuleBookEvent, RuleSet> onReplace(RuleSet state, Replace cmd) {
    if (cmd.rules().size() > maxRules) {
      return Effect()
          .reply(
              cmd.replyTo(),
              StatusReply.error(
                  "the file holds "
                      + cmd.rules().size()
                      + " rules, more than the rule book holds ("
                      + maxRules
                      + ", autoglm.rules.max-rules)"));
    }
    List<RuleBookEvent> events = new ArrayList<>();
    Set<String> kept = new HashSet<>();
    for (ThresholdRule r : cmd.rules()) {
      kept.add(r.id());
      ThresholdRule old = state.rules().get(r.id());
      if (old == null || !RuleDiff.same(old, r)) {
        events.add(new RuleUpserted(r));
      }
    }
    state.rules().keySet().stream()
        .filter(id -> !kept.contains(id))
        .sorted()
        .forEach(id -> events.add(new RuleDeleted(id)));
    if (events.isEmpty()) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(new Replaced(state, state)));
    }
    return Effect()
        .persist(events)
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), after -> StatusReply.success(new Replaced(state, after)));
  }

  private ReplyEffect<RuleBookEvent, RuleSet> onInstall(RuleSet state, Install cmd) {
    List<RuleBookEvent> events = new ArrayList<>();
    Map<String, ThresholdRule> rules = new HashMap<>(state.rules());
    if (installDefaults && state.version() == 0) {
      DefaultRules.freshInstall().forEach(r -> rules.put(r.id(), r));
      DefaultRules.freshInstall().forEach(r -> events.add(new RuleUpserted(r)));
    }
    for (ThresholdRule r : cmd.rules()) {
      ThresholdRule old = rules.get(r.id());
      if (old == null || !RuleDiff.same(old, r)) {
        rules.put(r.id(), r);
        events.add(new RuleUpserted(r));
      }
    }
    if (rules.size() > maxRules) {
      return Effect()
          .reply(
              cmd.replyTo(),
              StatusReply.error(
                  "the configured rules would make "
                      + rules.size()
                      + " rules, more than the rule book holds ("
                      + maxRules
                      + ", autoglm.rules.max-rules)"));
    }
    if (events.isEmpty()) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(state));
    }
    return Effect()
        .persist(events)
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), StatusReply::success);
  }

  private ReplyEffect<RuleBookEvent, RuleSet> onDelete(RuleSet state, Delete cmd) {
    if (!state.rules().containsKey(cmd.ruleId())) {
      return Effect()
          .reply(cmd.replyTo(), StatusReply.error("no rule with id '" + cmd.ruleId() + "'"));
    }
    return Effect()
        .persist(new RuleDeleted(cmd.ruleId()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), StatusReply::success);
  }

  private ReplyEffect<RuleBookEvent, RuleSet> onUpsertWatch(RuleSet state, UpsertWatch cmd) {
    if (state.watches().size() >= RuleSet.MAX_WATCHES
        && !state.watches().containsKey(cmd.watch().id())) {
      return Effect()
          .reply(
              cmd.replyTo(),
              StatusReply.error(
                  "the watch list is full ("
                      + RuleSet.MAX_WATCHES
                      + " entries): delete one, or name several IPs with one glob"));
    }
    return Effect()
        .persist(new WatchUpserted(cmd.watch()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), StatusReply::success);
  }

  private ReplyEffect<RuleBookEvent, RuleSet> onDeleteWatch(RuleSet state, DeleteWatch cmd) {
    if (!state.watches().containsKey(cmd.watchId())) {
      return Effect()
          .reply(cmd.replyTo(), StatusReply.error("no watch with id '" + cmd.watchId() + "'"));
    }
    return Effect()
        .persist(new WatchDeleted(cmd.watchId()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), StatusReply::success);
  }

  private void publish(RuleSet state) {
    topic.tell(Topic.publish(state));
  }

  @Override
  public EventHandler<RuleSet, RuleBookEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(RuleUpserted.class, (state, e) -> state.with(e.rule()))
        .onEvent(RuleDeleted.class, (state, e) -> state.without(e.ruleId()))
        .onEvent(WatchUpserted.class, (state, e) -> state.withWatch(e.watch()))
        .onEvent(WatchDeleted.class, (state, e) -> state.withoutWatch(e.watchId()))
        .build();
  }
}
