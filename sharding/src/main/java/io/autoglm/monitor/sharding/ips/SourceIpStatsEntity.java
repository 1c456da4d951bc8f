package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertResolved;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpAlertChanged;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpEventTimeAdvanced;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpStatsIngested;
import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.detect.ThresholdEvaluator;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity.IngestAck;
import io.autoglm.monitor.sharding.stats.HistoryWriter;
import io.autoglm.monitor.sharding.stats.ReplayFilter;
import io.autoglm.monitor.sharding.stats.RollupSink;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
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
 * The statistics of one tracked source IP of a service ({@link IpKey}), over all the service's
 * endpoints: sharded and event-sourced like the endpoint entities, with the same exactly-once
 * bookkeeping, pane and minute counts, per-minute history and rule evaluation (for rules with
 * {@code "scope": "ip"}). Which IPs get one is decided at ingest ({@link IpTracking}); every other
 * IP is only counted in its endpoints' statistics.
 *
 * <p>Unlike an endpoint, each delta is written at once (an IP's deltas come from the flush ticks of
 * the nodes its traffic reaches, so at most about one a second per node). An idle IP entity with no
 * alert pending or firing passivates itself after {@code passivate-after}.
 */
public final class SourceIpStatsEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        SourceIpStatsEntity.Command, SourceIpStatsEvent, SourceIpStatsState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "SourceIpStats");

  public sealed interface Command extends CborSerializable {}

  /** Merge a delta; the reply comes once it is persisted. */
  public record Ingest(IpDelta delta, ActorRef<StatusReply<IngestAck>> replyTo)
      implements Command {}

  public record GetStats(ActorRef<SourceIpStatsView> replyTo) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record RollupFailed(List<Long> minuteStarts) implements Command {}

  /** What every IP entity on a node shares. */
  public record Dependencies(
      StatsSettings settings,
      RuleCache rules,
      ActorRef<Topic.Command<Alert>> alertTopic,
      NodeClock clock,
      RollupSink rollups) {}

  private final IpKey key;
  private final Dependencies deps;
  private final StatsSettings settings;
  private final ActorContext<Command> context;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private long lastArrivalWallMs;
  private boolean passivating;
  private final HistoryWriter history;

  public static void init(ActorSystem<?> system, Dependencies deps) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), ctx.getShard(), deps))
                // passivates itself (see the class comment), as the endpoint entity does
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /**
   * @param shard where to ask for passivation; null outside sharding (tests): never passivates
   */
  public static Behavior<Command> create(
      String entityId, ActorRef<ClusterSharding.ShardCommand> shard, Dependencies deps) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, deps.settings().tick());
                  return new SourceIpStatsEntity(ctx, shard, IpKey.fromEntityId(entityId), deps);
                }));
  }

  private SourceIpStatsEntity(
      ActorContext<Command> context,
      ActorRef<ClusterSharding.ShardCommand> shard,
      IpKey key,
      Dependencies deps) {
    super(
        PersistenceId.of(ENTITY_TYPE_KEY.name(), key.entityId()),
        deps.settings().restartBackoff().strategy());
    this.context = context;
    this.shard = shard;
    this.key = key;
    this.deps = deps;
    this.settings = deps.settings();
    this.lastArrivalWallMs = deps.clock().wallMillis();
    this.history = new HistoryWriter(deps.rollups(), persistenceId().id());
  }

  @Override
  public SourceIpStatsState emptyState() {
    return SourceIpStatsState.empty(key.entityId());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2)
        .withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<SourceIpStatsState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              lastArrivalWallMs = deps.clock().wallMillis();
              state.minutes().forEach(m -> history.changed(m.start()));
              writeRollups(state);
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, SourceIpStatsEvent, SourceIpStatsState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Ingest.class, this::onIngest)
        .onCommand(
            GetStats.class,
            (state, cmd) -> Effect().reply(cmd.replyTo(), SourceIpStatsView.of(state)))
        .onCommand(Tick.class, this::onTick)
        .onCommand(
            RollupFailed.class,
            (state, cmd) -> {
              history.changedAll(cmd.minuteStarts());
              return Effect().noReply();
            })
        .build();
  }

  private ReplyEffect<SourceIpStatsEvent, SourceIpStatsState> onIngest(
      SourceIpStatsState state, Ingest cmd) {
    lastArrivalWallMs = deps.clock().wallMillis();
    long horizon = settings.futureLimit(lastArrivalWallMs);
    ReplayFilter replays = new ReplayFilter(state::appliedSeq, state::forgotten);
    TreeMap<Long, IpCounts> onTime = new TreeMap<>();
    Map<String, Long> endpoints = new HashMap<>();
    long accepted = 0;
    long late = 0;
    long duplicates = 0;
    long expired = 0;
    long future = 0;
    long maxEventTs = SourceIpStatsState.NONE;
    for (IpPart part : cmd.delta().parts()) {
      ReplayFilter.Verdict verdict = replays.judge(part);
      if (verdict == ReplayFilter.Verdict.DUPLICATE) {
        duplicates += part.records();
        continue;
      }
      if (verdict == ReplayFilter.Verdict.EXPIRED) {
        expired += part.records();
        continue;
      }
      for (IpCounts p : part.panes()) {
        if (p.start() >= horizon) {
          future += p.count();
        } else if (p.end() <= state.watermark()) {
          late += p.count();
        } else {
          accepted += p.count();
          onTime.merge(p.start(), p, IpCounts::merge);
        }
      }
      part.endpoints().forEach((path, n) -> endpoints.merge(path, n, Long::sum));
      maxEventTs = Math.max(maxEventTs, Math.min(part.maxEventTs(), horizon));
    }
    IngestAck ack = new IngestAck(accepted, late, duplicates, future, expired);
    if (accepted + late == 0 && replays.appliedSeqs().isEmpty()) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(ack));
    }
    long at =
        maxEventTs == SourceIpStatsState.NONE
            ? state.evaluatedAt()
            : Math.max(state.evaluatedAt(), maxEventTs + 1);
    IpStatsIngested ingested =
        new IpStatsIngested(
            key.entityId(),
            List.copyOf(onTime.values()),
            accepted,
            late,
            maxEventTs,
            Map.copyOf(replays.appliedSeqs()),
            Map.copyOf(endpoints),
            at);
    SourceIpStatsState merged = state.withIngested(ingested, settings);
    List<SourceIpStatsEvent> events = new ArrayList<>();
    events.add(ingested);
    events.addAll(alertChanges(state, merged, at));
    return Effect()
        .persist(events)
        .thenRun(after -> afterPersist(events, after))
        .thenReply(cmd.replyTo(), after -> StatusReply.success(ack));
  }

  private ReplyEffect<SourceIpStatsEvent, SourceIpStatsState> onTick(
      SourceIpStatsState state, Tick tick) {
    long now = deps.clock().wallMillis();
    boolean alertActive =
        state.alerts().values().stream().anyMatch(a -> a.phase() != RuleAlertState.Phase.OK);
    if (shard != null
        && !passivating
        && !alertActive
        && now - lastArrivalWallMs >= settings.passivateAfter().toMillis()) {
      passivating = true;
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    writeRollups(state);
    if (!state.hasData()) {
      return Effect().noReply();
    }
    // only a pending or firing rule needs event time to move while the IP is quiet (to resolve
    // it): a tracked IP that merely has rules would otherwise write every second, and a node may
    // track many IPs
    long at = settings.paneStartOf(state.maxEventTs() + 1 + Math.max(0, now - lastArrivalWallMs));
    if (at <= state.evaluatedAt() || !alertActive) {
      return Effect().noReply();
    }
    List<SourceIpStatsEvent> events = new ArrayList<>();
    events.add(new IpEventTimeAdvanced(key.entityId(), at));
    events.addAll(alertChanges(state, state, at));
    return Effect().persist(events).thenRun(after -> afterPersist(events, after)).thenNoReply();
  }

  private List<ThresholdRule> rules() {
    return deps.rules().rules().stream()
        .filter(r -> r.appliesToIp(key.service(), key.ip()))
        .toList();
  }

  /** The alert changes of moving event time from {@code before}'s to {@code at}. */
  private List<SourceIpStatsEvent> alertChanges(
      SourceIpStatsState before, SourceIpStatsState data, long at) {
    long oldest = data.panes().isEmpty() ? at - 1 : data.panes().get(0).start();
    List<EndpointStatsEvent> changes =
        ThresholdEvaluator.evaluate(
            key.entityId(),
            before.alerts(),
            ThresholdEvaluator.evaluationPoints(before.evaluatedAt(), at, oldest, settings),
            rules(),
            (rule, t) ->
                valueOf(
                    rule.metric(), data.windowAt(t, settings.windowOf(rule.windowMs()), settings)),
            (rule, value, startsAt, end) ->
                Alert.firingForIp(rule, key.service(), key.ip(), value, startsAt, end));
    List<SourceIpStatsEvent> events = new ArrayList<>(changes.size());
    changes.forEach(c -> events.add(new IpAlertChanged(key.entityId(), c)));
    return events;
  }

  /** The value of {@code metric} over {@code w}; NaN when it has no data for it. */
  public static double valueOf(Metric metric, IpCounts w) {
    if (w.durationMs() <= 0) {
      return Double.NaN;
    }
    return switch (metric) {
      case QPS -> w.qps();
      case ERROR_RATE -> w.errorRate();
      case CLIENT_ERROR_RATE -> w.clientErrorRate();
      case AUTH_FAILURE_RATE -> w.authFailureRate();
      case THROTTLE_RATE -> w.throttleRate();
      case TOKENS_PER_SECOND -> w.tokensPerSecond();
      // latency is not kept per IP (a rule on source IPs cannot name it)
      case P95_LATENCY_MS, P99_LATENCY_MS -> Double.NaN;
    };
  }

  private void afterPersist(List<SourceIpStatsEvent> events, SourceIpStatsState after) {
    for (SourceIpStatsEvent e : events) {
      if (e instanceof IpStatsIngested ingested) {
        ingested.panes().forEach(p -> history.changed(p.start()));
      } else if (e instanceof IpAlertChanged changed) {
        if (changed.change() instanceof AlertFired fired) {
          context.getLog().info("Alert firing: {}", fired.alert().summary());
          deps.alertTopic().tell(Topic.publish(fired.alert()));
        } else if (changed.change() instanceof AlertResolved resolved) {
          context.getLog().info("Alert resolved: {}", resolved.alert().summary());
          deps.alertTopic().tell(Topic.publish(resolved.alert()));
        }
      }
    }
    writeRollups(after);
  }

  /** Writes the changed minutes to the history (as counts: no latency per IP). */
  private void writeRollups(SourceIpStatsState state) {
    ActorRef<Command> self = context.getSelf();
    history.write(
        start -> {
          IpCounts m = state.minute(start);
          return m == null ? null : m.asWindowStats();
        },
        starts -> self.tell(new RollupFailed(starts)));
  }

  @Override
  public EventHandler<SourceIpStatsState, SourceIpStatsEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((state, event) -> state.apply(event, settings));
  }
}
