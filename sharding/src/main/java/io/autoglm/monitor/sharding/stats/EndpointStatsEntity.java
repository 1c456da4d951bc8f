package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.persistence.event.AlertEvents;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.EventTimeAdvanced;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.WatermarkReset;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.DataCenterScope;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.detect.Detectors;
import io.autoglm.monitor.sharding.detect.HistoryBudget;
import io.autoglm.monitor.sharding.detect.MinuteHistory;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.detect.RuleEvaluator;
import io.autoglm.monitor.sharding.detect.ServiceBreaches;
import io.autoglm.monitor.sharding.rules.RuleCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
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
 * Live statistics of one endpoint ({@link EndpointKey}), sharded across the cluster and
 * event-sourced in Cassandra.
 *
 * <p>It receives pre-aggregated {@link EndpointDelta}s (never single records) and persists them as
 * {@link StatsIngested} events, at most one per {@code minWriteInterval} (in slots of that length
 * from the entity's first write): deltas that arrive when the current slot has had its write (from
 * other agent connections, other nodes, HTTP posts) are queued and share the next slot's write, so
 * Cassandra sees at most one write per active endpoint per interval however many agents there are.
 * The one exception is a delta that makes a rule fire or resolve: it is written at once, so an
 * alert does not wait for the slot (alert changes are rare, so this adds few writes).
 *
 * <p>Statistics are kept per pane of event time (1 s) and per minute ({@link EndpointStatsState}).
 * Each write moves event time to just after its newest record and evaluates the rules at every pane
 * boundary passed and at that point ({@link RuleEvaluator}). While no data arrives, event time also
 * moves with the wall clock (from the newest {@code ts}, by the wall time since it arrived), so
 * replays of past traffic and live traffic both work and a quiet endpoint still sees its QPS fall.
 * Event time never runs further ahead of the wall clock than {@code max-future}: panes beyond it
 * are counted as future, and an endpoint found ahead of the clock (on recovery, or after the clock
 * stepped back) is reset to it by a persisted {@link WatermarkReset}. Alert changes are persisted
 * in the same write as the data that caused them, and only then published on the alert topic.
 *
 * <p>An entity passivates itself (sharding's automatic passivation is off, because its own ticks
 * are not traffic to sharding): once it has had no data for {@code passivate-after}, has no window
 * left to close, no alert pending or firing and no QPS rule watching it. The next delta brings it
 * back from Cassandra. A QPS-watched endpoint therefore stays up to see its traffic drop to zero;
 * after a node restart it is woken by the node ({@link Wake}).
 */
public final class EndpointStatsEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        EndpointStatsEntity.Command, EndpointStatsEvent, EndpointStatsState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "EndpointStats");
  public static final String ALERT_TOPIC = "autoglm-alerts";

  public sealed interface Command extends CborSerializable {}

  /** Merge a delta; the reply comes once it is persisted. */
  public record Ingest(EndpointDelta delta, ActorRef<StatusReply<IngestAck>> replyTo)
      implements Command {}

  /** Asks for the {@link EndpointStatsView} with the newest {@code panes} panes. */
  public record GetStats(int panes, ActorRef<EndpointStatsView> replyTo) implements Command {}

  /**
   * Records counted ({@code accepted}), dropped as behind the watermark ({@code late}), dropped as
   * replays of batches already applied ({@code duplicates}) and dropped as dated too far ahead of
   * the clock ({@code future}), and not counted because they came with a node-issued key too old to
   * tell whether they already were ({@code expired}).
   */
  public record IngestAck(long accepted, long late, long duplicates, long future, long expired)
      implements CborSerializable {}

  private enum Tick implements Command {
    INSTANCE
  }

  /**
   * Starts the entity if it is not running (so it closes windows while no data comes); no reply.
   */
  public enum Wake implements Command {
    INSTANCE
  }

  /** Writing these minutes to the history failed: write them again. */
  private record RollupFailed(List<Long> minuteStarts) implements Command {}

  /** The minutes read back from the history at start, for the detectors. */
  private record HistoryLoaded(List<WindowStats> minutes, long until) implements Command {}

  /** The timer that writes the deltas queued since the last write. */
  private enum WritePending implements Command {
    INSTANCE
  }

  /** What every endpoint entity on a node shares. */
  public record Dependencies(
      StatsSettings settings,
      RuleCache rules,
      ActorRef<Topic.Command<Alert>> alertTopic,
      NodeClock clock,
      StatsCounters counters,
      RollupSink rollups,
      HistoryBudget historyBudget,
      ServiceBreaches breaches) {

    /** With no limit on the detectors' history, and one board of breaches (tests, backtests). */
    public Dependencies(
        StatsSettings settings,
        RuleCache rules,
        ActorRef<Topic.Command<Alert>> alertTopic,
        NodeClock clock,
        StatsCounters counters,
        RollupSink rollups) {
      this(
          settings,
          rules,
          alertTopic,
          clock,
          counters,
          rollups,
          HistoryBudget.UNLIMITED,
          ServiceBreaches.local());
    }

    /** Without history (tests that do not look at it). */
    public Dependencies(
        StatsSettings settings,
        RuleCache rules,
        ActorRef<Topic.Command<Alert>> alertTopic,
        NodeClock clock,
        StatsCounters counters) {
      this(settings, rules, alertTopic, clock, counters, RollupSink.NONE);
    }
  }

  private final EndpointKey key;
  private final Dependencies deps;
  private final StatsSettings settings;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  // where to ask for passivation; null when not run by sharding (tests)
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private boolean passivating;
  // Wall-clock time the newest data arrived. Not persisted: after recovery it counts from the
  // recovery, which only delays wall-clock closing by the downtime.
  private long lastArrivalWallMs;
  // Deltas waiting for the next write. Not persisted: an entity that stops with deltas queued
  // never acks them, so their senders send them again.
  private final List<Ingest> pending = new ArrayList<>();
  private boolean writeScheduled;
  // Write slots: minWriteInterval-long stretches of the monotonic clock from the first write;
  // at most one ingest write per slot.
  private boolean writtenYet;
  private long slotOrigin;
  private long lastWriteSlot;
  // Exactly-once across a failed write. The entity restarts with backoff and keeps the commands
  // that arrived meanwhile; a later batch of a source among them must not be applied before the
  // batch the failed write lost, or the replay of that batch would look like a duplicate.
  // inFlight: per source, the lowest seq the write being persisted applies; lostFrom: per source,
  // the lowest seq a failed write lost, until a batch at or below it is applied again.
  private final Map<String, Long> inFlight = new HashMap<>();
  private final Map<String, Long> lostFrom = new HashMap<>();
  // Minutes changed since they were last written to the history (minute starts). Not persisted:
  // after a restart every minute in memory is written again.
  private final HistoryWriter history;

  /**
   * The minute history the rules that read one (baseline, change, forecast) compare with; filled
   * from this endpoint's minutes as they complete, not persisted.
   */
  private final MinuteHistory detectorHistory;

  public static void init(ActorSystem<?> system, Dependencies deps) {
    DataCenterScope dataCenter = DataCenterScope.of(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_TYPE_KEY,
                    ctx -> create(ctx.getEntityId(), ctx.getShard(), deps, dataCenter))
                // the entity passivates itself: its ticks, which close quiet windows, are not
                // messages sharding sees, so sharding's idle passivation would stop a QPS-watched
                // endpoint before it sees its traffic drop to zero
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /**
   * Under which name the minutes of {@code key} counted in {@code dataCenter} are stored in the
   * history: the entity's persistence id.
   */
  public static String historyEntity(DataCenterScope dataCenter, EndpointKey key) {
    return dataCenter.persistenceId(ENTITY_TYPE_KEY, key.entityId()).id();
  }

  /** An entity outside sharding (tests): it never passivates. */
  public static Behavior<Command> create(String entityId, Dependencies deps) {
    return create(entityId, null, deps);
  }

  /** An entity of the default data center. */
  public static Behavior<Command> create(
      String entityId, ActorRef<ClusterSharding.ShardCommand> shard, Dependencies deps) {
    return create(entityId, shard, deps, DataCenterScope.DEFAULT);
  }

  /**
   * @param dataCenter names the entity's persistence id and its history (its data center's own)
   */
  public static Behavior<Command> create(
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      Dependencies deps,
      DataCenterScope dataCenter) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, deps.settings().tick());
                  EndpointKey key = EndpointKey.fromEntityId(entityId);
                  return new EndpointStatsEntity(
                      ctx,
                      timers,
                      shard,
                      key,
                      dataCenter.persistenceId(ENTITY_TYPE_KEY, key.entityId()),
                      deps);
                }));
  }

  private EndpointStatsEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      EndpointKey key,
      PersistenceId persistenceId,
      Dependencies deps) {
    super(persistenceId, deps.settings().restartBackoff().strategy());
    this.context = context;
    this.timers = timers;
    this.shard = shard;
    this.key = key;
    this.deps = deps;
    this.settings = deps.settings();
    this.lastArrivalWallMs = deps.clock().wallMillis();
    this.history = new HistoryWriter(deps.rollups(), persistenceId().id());
    this.detectorHistory = new MinuteHistory(deps.historyBudget());
  }

  @Override
  public EndpointStatsState emptyState() {
    return EndpointStatsState.empty(key.entityId());
  }

  /**
   * Alert changes carry the alert tag: the notifier reads them from the journal by it ({@link
   * AlertEvents}).
   */
  @Override
  public java.util.Set<String> tagsFor(EndpointStatsEvent event) {
    return AlertEvents.tagsFor(event);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // the journal keeps only what the two newest snapshots do not cover: events are deleted
    // once a snapshot covers them, so an endpoint's journal stays bounded; long history lives
    // in the TTL'd rollups
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2)
        .withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<EndpointStatsState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              lastArrivalWallMs = deps.clock().wallMillis();
              // a write may have been persisted without its minutes reaching the history
              state.minutes().forEach(m -> history.changed(m.start()));
              writeRollups(state);
              loadDetectorHistory(state);
            })
        .onSignal(PostStop.instance(), state -> detectorHistory.release())
        .onSignal(
            PreRestart.instance(),
            state -> {
              deps.counters().entityFailures.increment();
              detectorHistory.release();
              inFlight.forEach((source, seq) -> lostFrom.merge(source, seq, Math::min));
              inFlight.clear();
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, EndpointStatsEvent, EndpointStatsState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Ingest.class, this::onIngest)
        .onCommand(
            GetStats.class,
            (state, cmd) -> Effect().reply(cmd.replyTo(), EndpointStatsView.of(state, cmd.panes())))
        .onCommand(Tick.class, this::onTick)
        .onCommand(Wake.class, (state, cmd) -> Effect().noReply())
        .onCommand(WritePending.class, (state, cmd) -> writePending(state))
        .onCommand(
            HistoryLoaded.class,
            (state, cmd) -> {
              List<ThresholdRule> rules = applicableRules();
              RuleEvaluator.record(detectorHistory, cmd.minutes(), cmd.until(), rules, settings);
              context
                  .getLog()
                  .debug(
                      "Endpoint {}: {} minute(s) of history for its detectors",
                      key.entityId(),
                      cmd.minutes().size());
              return Effect().noReply();
            })
        .onCommand(
            RollupFailed.class,
            (state, cmd) -> {
              deps.counters().historyWriteFailures.increment();
              history.changedAll(cmd.minuteStarts());
              return Effect().noReply();
            })
        .build();
  }

  /**
   * Queues the delta and writes at once unless this entity has already written in the current write
   * slot ({@code minWriteInterval} long, counted from its first write); then a timer writes every
   * delta queued by the start of the next slot in one event. A delta that makes a pending or firing
   * rule fire or resolve (or a rule with {@code for: 0} fire) is written at once all the same: an
   * alert does not wait for the slot.
   */
  private ReplyEffect<EndpointStatsEvent, EndpointStatsState> onIngest(
      EndpointStatsState state, Ingest cmd) {
    lastArrivalWallMs = deps.clock().wallMillis();
    pending.add(cmd);
    long interval = settings.minWriteInterval().toNanos();
    long now = deps.clock().monotonicNanos();
    if (interval == 0 || !writtenYet || Math.floorDiv(now - slotOrigin, interval) > lastWriteSlot) {
      return writePending(state);
    }
    // planning the write only to see whether it fires or resolves an alert is for endpoints whose
    // rules can: one pending or firing, or one that fires at the first breach (for: 0)
    if (mayFireOrResolve(state)) {
      Plan plan = plan(state);
      if (plan.changesAnAlert()) {
        return commit(plan);
      }
    }
    if (!writeScheduled) {
      long waitNanos = slotOrigin + (lastWriteSlot + 1) * interval - now;
      timers.startSingleTimer(WritePending.INSTANCE, Duration.ofNanos(waitNanos));
      writeScheduled = true;
    }
    return Effect().noReply();
  }

  /** What writing the queued deltas would persist and answer; computed without side effects. */
  private record Plan(
      List<Ingest> refused,
      List<String> refusals,
      List<Ingest> cmds,
      List<IngestAck> acks,
      List<EndpointStatsEvent> events,
      Map<String, Long> firstSeqs,
      boolean applied) {

    /** Whether it fires or resolves an alert: such a write does not wait for the slot. */
    boolean changesAnAlert() {
      return events.stream().anyMatch(e -> AlertEvents.alertOf(e) != null);
    }
  }

  /** Writes the queued deltas now (see {@link #plan}). */
  private ReplyEffect<EndpointStatsEvent, EndpointStatsState> writePending(
      EndpointStatsState current) {
    return commit(plan(current));
  }

  /**
   * Merges the queued deltas into one {@link StatsIngested} (plus any alert changes from evaluating
   * the rules at the pane boundaries event time passes and just after the newest record), and what
   * each delta's sender is answered once it is persisted. Pure: the queue and the bookkeeping of
   * in-flight batches change only in {@link #commit}.
   */
  private Plan plan(EndpointStatsState current) {
    List<Ingest> refused = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    List<Ingest> cmds = new ArrayList<>(pending.size());
    for (Ingest cmd : pending) {
      String refusal = followsALostBatch(cmd);
      if (refusal == null) {
        cmds.add(cmd);
      } else {
        refused.add(cmd);
        refusals.add(refusal);
      }
    }
    long now = deps.clock().wallMillis();
    long horizon = settings.futureLimit(now);
    List<EndpointStatsEvent> events = new ArrayList<>();
    EndpointStatsState state = current;
    if (current.aheadOf(now, settings)) {
      WatermarkReset reset = current.resetTo(now, settings);
      events.add(reset);
      state = current.apply(reset, settings);
    }
    TreeMap<Long, WindowStats> onTime = new TreeMap<>();
    TreeMap<Long, List<SourceIpSketch>> onTimeSources = new TreeMap<>();
    ReplayFilter replays = new ReplayFilter(state::appliedSeq, state::forgotten);
    List<IngestAck> acks = new ArrayList<>(cmds.size());
    long maxEventTs = EndpointStatsState.NONE;
    for (Ingest cmd : cmds) {
      long accepted = 0;
      long late = 0;
      long duplicates = 0;
      long future = 0;
      long expired = 0;
      for (BatchPart part : cmd.delta().parts()) {
        ReplayFilter.Verdict verdict = replays.judge(part);
        if (verdict == ReplayFilter.Verdict.DUPLICATE) {
          duplicates += part.records(); // a replay of a batch already counted
          continue;
        }
        if (verdict == ReplayFilter.Verdict.EXPIRED) {
          expired += part.records(); // may have been counted: refuse rather than count twice
          continue;
        }
        future += part.future();
        for (Map.Entry<Long, SourceIpSketch> m : part.sources().entrySet()) {
          long minute = m.getKey();
          // a minute some of whose records count (its late ones' addresses come along)
          if (minute < horizon && minute + StatsSettings.MINUTE_MS > state.watermark()) {
            onTimeSources.computeIfAbsent(minute, x -> new ArrayList<>()).add(m.getValue());
          }
        }
        for (WindowStats w : part.windows()) {
          if (w.start() >= horizon) {
            future += w.count(); // aggregated by a node whose clock runs ahead of this one
          } else if (w.end() <= state.watermark()) {
            late += w.count(); // older than the allowed lateness: in no pane, no minute
          } else {
            accepted += w.count();
            onTime.merge(w.start(), w, WindowStats::merge);
          }
        }
        maxEventTs = Math.max(maxEventTs, Math.min(part.maxEventTs(), horizon));
      }
      acks.add(new IngestAck(accepted, late, duplicates, future, expired));
    }
    long accepted = acks.stream().mapToLong(IngestAck::accepted).sum();
    long late = acks.stream().mapToLong(IngestAck::late).sum();
    long future = acks.stream().mapToLong(IngestAck::future).sum();
    Map<String, Long> appliedSeqs = replays.appliedSeqs();
    Map<String, Long> firstSeqs = replays.firstSeqs();
    if (accepted + late + future == 0 && appliedSeqs.isEmpty() && events.isEmpty()) {
      return new Plan(refused, refusals, cmds, acks, List.of(), firstSeqs, false);
    }
    long at =
        maxEventTs == EndpointStatsState.NONE
            ? state.evaluatedAt()
            : Math.max(state.evaluatedAt(), maxEventTs + 1);
    StatsIngested ingested =
        new StatsIngested(
            key.entityId(),
            List.copyOf(onTime.values()),
            accepted,
            late,
            maxEventTs,
            at == EndpointStatsState.NONE
                ? state.watermark()
                : Math.max(state.watermark(), at - settings.allowedLatenessMs()),
            Map.copyOf(appliedSeqs),
            future,
            at,
            mergedSources(onTimeSources));
    EndpointStatsState merged = state.withIngested(ingested, settings);
    events.add(ingested);
    events.addAll(
        RuleEvaluator.evaluate(
            key,
            merged,
            evaluationPoints(state.evaluatedAt(), at, merged),
            deps.rules().evaluated(),
            settings,
            detectorHistory,
            deps.breaches()));
    return new Plan(refused, refusals, cmds, acks, List.copyOf(events), firstSeqs, true);
  }

  private static Map<Long, SourceIpSketch> mergedSources(Map<Long, List<SourceIpSketch>> byMinute) {
    Map<Long, SourceIpSketch> out = new TreeMap<>();
    byMinute.forEach((minute, sketches) -> out.put(minute, SourceIpSketch.mergeAll(sketches)));
    return Map.copyOf(out);
  }

  private List<Long> evaluationPoints(long from, long to, EndpointStatsState state) {
    long oldest = state.panes().isEmpty() ? to - 1 : state.panes().get(0).start();
    return RuleEvaluator.evaluationPoints(from, to, oldest, settings);
  }

  /** Persists a {@link Plan}, then answers each sender with what became of its own records. */
  private ReplyEffect<EndpointStatsEvent, EndpointStatsState> commit(Plan plan) {
    writeScheduled = false;
    timers.cancel(WritePending.INSTANCE);
    pending.clear();
    for (int i = 0; i < plan.refused().size(); i++) {
      plan.refused().get(i).replyTo().tell(StatusReply.error(plan.refusals().get(i)));
    }
    plan.firstSeqs().forEach((source, seq) -> inFlight.merge(source, seq, Math::min));
    // The replay from at or before a lost batch ends the wait for it, whether its parts apply or
    // are duplicates: a write that failed (a timeout) may have reached the journal all the same,
    // and then the entity recovered those batches and their replay counts nothing. Waiting on
    // for an applied replay refused every later batch of the source for good, after its sender
    // had been acked up to the lost batch (./autoglm drill cassandra-pause, under load).
    for (Ingest cmd : plan.cmds()) {
      for (BatchPart part : cmd.delta().parts()) {
        Long lost = part.identified() ? lostFrom.get(part.sourceKey()) : null;
        if (lost != null && part.seq() <= lost) {
          lostFrom.remove(part.sourceKey());
        }
      }
    }
    for (IngestAck ack : plan.acks()) {
      deps.counters().recordsAccepted.add(ack.accepted());
      deps.counters().recordsLate.add(ack.late());
      deps.counters().recordsDuplicate.add(ack.duplicates());
      deps.counters().recordsFuture.add(ack.future());
    }
    Runnable reply =
        () -> {
          for (int i = 0; i < plan.cmds().size(); i++) {
            plan.cmds().get(i).replyTo().tell(StatusReply.success(plan.acks().get(i)));
          }
        };
    if (!plan.applied()) {
      inFlight.clear();
      return Effect()
          .none()
          .thenRun(after -> reply.run())
          .thenNoReply(); // nothing new: write nothing
    }
    markWrite();
    List<EndpointStatsEvent> events = plan.events();
    return Effect()
        .persist(events)
        .thenRun(
            after -> {
              inFlight.clear();
              afterPersist(events, after);
              reply.run();
            })
        .thenNoReply();
  }

  /**
   * Why {@code cmd} must wait for a replay (a part of it comes after a batch of the same source
   * that a failed write lost, and no part before it in the command resends that batch), or null
   * when it may be applied. A command's parts are in seq order per source.
   */
  private String followsALostBatch(Ingest cmd) {
    java.util.Set<String> resent = new java.util.HashSet<>();
    for (BatchPart part : cmd.delta().parts()) {
      Long lost = part.identified() ? lostFrom.get(part.sourceKey()) : null;
      if (lost == null || resent.contains(part.sourceKey())) {
        continue;
      }
      if (part.seq() > lost) {
        return "batch "
            + part.seq()
            + " of "
            + part.sourceKey()
            + " comes after batch "
            + lost
            + ", which a failed journal write lost: send again from batch "
            + lost;
      }
      resent.add(part.sourceKey());
    }
    return null;
  }

  private ReplyEffect<EndpointStatsEvent, EndpointStatsState> onTick(
      EndpointStatsState state, Tick tick) {
    long now = deps.clock().wallMillis();
    passivateIfIdle(state, now);
    if (!state.hasData()) {
      return Effect().noReply();
    }
    if (state.aheadOf(now, settings)) {
      WatermarkReset reset = state.resetTo(now, settings);
      context
          .getLog()
          .warn(
              "Endpoint {} was ahead of the clock (newest event {}, watermark {}): reset to {}",
              key.entityId(),
              Instant.ofEpochMilli(state.maxEventTs()),
              Instant.ofEpochMilli(state.watermark()),
              Instant.ofEpochMilli(reset.watermark()));
      return Effect()
          .persist(reset)
          .thenRun(after -> afterPersist(List.of(reset), after))
          .thenNoReply();
    }
    writeRollups(state); // retries minutes whose write failed
    // while no data arrives, event time moves on from the newest record with the wall clock,
    // pane boundary by pane boundary
    long idleMs = now - lastArrivalWallMs;
    // never past the wall clock: data up to it may still be on its way (a backtest's clock is
    // the newest record every entity has been sent)
    long at = settings.paneStartOf(Math.min(state.maxEventTs() + 1 + Math.max(0, idleMs), now));
    if (at <= state.evaluatedAt() || !worthAdvancing(state)) {
      return Effect().noReply();
    }
    List<EndpointStatsEvent> events = new ArrayList<>();
    events.add(new EventTimeAdvanced(key.entityId(), at));
    events.addAll(
        RuleEvaluator.evaluate(
            key,
            state,
            evaluationPoints(state.evaluatedAt(), at, state),
            deps.rules().evaluated(),
            settings,
            detectorHistory,
            deps.breaches()));
    return Effect().persist(events).thenRun(after -> afterPersist(events, after)).thenNoReply();
  }

  /** The rules (auto rules as their signals) that watch this endpoint. */
  private List<ThresholdRule> applicableRules() {
    return deps.rules().evaluated().stream()
        .filter(r -> r.appliesTo(key.service(), key.path()))
        .toList();
  }

  /**
   * After a restart, reads back from the history the minutes the rules that read one (baseline,
   * change, forecast) compare with, older than those the state holds: a restarted node does not
   * need an hour, a day or a week to relearn. The rules known at start decide how far back.
   */
  private void loadDetectorHistory(EndpointStatsState state) {
    int minutes = 0;
    for (ThresholdRule r : applicableRules()) {
      minutes = Math.max(minutes, Detectors.historyMinutes(r, settings.windowOf(r.windowMs())));
    }
    if (minutes == 0 || !state.hasData()) {
      return;
    }
    long until =
        state.minutes().isEmpty()
            ? StatsSettings.minuteStartOf(state.evaluatedAt())
            : state.minutes().get(0).start();
    long from =
        StatsSettings.minuteStartOf(state.evaluatedAt()) - minutes * StatsSettings.MINUTE_MS;
    if (from >= until) {
      return;
    }
    context.pipeToSelf(
        deps.rollups().read(persistenceId().id(), from, until),
        (read, failure) -> {
          if (failure != null) {
            context
                .getLog()
                .warn(
                    "Endpoint {}: could not read its history for the detectors: {}",
                    key.entityId(),
                    failure.toString());
            return new HistoryLoaded(List.of(), until);
          }
          return new HistoryLoaded(read, until);
        });
  }

  /**
   * Whether a write could fire or resolve an alert of this endpoint: a rule is pending or firing
   * (or its alert flaps and may settle), or a rule watching it fires at the first breach ({@code
   * for: 0}). A rule that must hold for a while first goes pending, which waits for the write slot
   * like any data.
   */
  private boolean mayFireOrResolve(EndpointStatsState state) {
    for (RuleAlertState s : state.alerts().values()) {
      if (s.active()) {
        return true;
      }
    }
    for (var rule : deps.rules().evaluated()) {
      if (rule.forMs() == 0 && rule.appliesTo(key.service(), key.path())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether moving a quiet endpoint's event time can change anything: a rule is pending or firing
   * (or flapping, yet to settle), a QPS rule watches it (its QPS falls), or a rule watches it and
   * its windows still hold data.
   */
  private boolean worthAdvancing(EndpointStatsState state) {
    boolean alertActive = state.alerts().values().stream().anyMatch(RuleAlertState::active);
    if (alertActive) {
      return true;
    }
    boolean recentData = state.evaluatedAt() - state.maxEventTs() <= settings.maxWindowMs();
    for (var rule : deps.rules().evaluated()) {
      if (rule.appliesTo(key.service(), key.path())
          && (rule.metric() == Metric.QPS || recentData)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Asks sharding to stop this entity when it has had no data for {@code passivate-after} and has
   * nothing to do: no write queued, no window to close, no alert to resolve, no QPS rule to feed.
   */
  private void passivateIfIdle(EndpointStatsState state, long now) {
    if (shard == null
        || passivating
        || !pending.isEmpty()
        || writeScheduled
        || now - lastArrivalWallMs < settings.passivateAfter().toMillis()
        || worthAdvancing(state)) {
      return;
    }
    passivating = true;
    context.getLog().debug("Endpoint {} idle: passivating", key.entityId());
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
  }

  /** Notes that an ingest write happens now, in the current write slot. */
  private void markWrite() {
    long interval = settings.minWriteInterval().toNanos();
    long now = deps.clock().monotonicNanos();
    if (!writtenYet) {
      writtenYet = true;
      slotOrigin = now;
    }
    lastWriteSlot = interval == 0 ? 0 : Math.floorDiv(now - slotOrigin, interval);
  }

  private void afterPersist(List<EndpointStatsEvent> events, EndpointStatsState after) {
    deps.counters().journalWrites.increment();
    deps.counters().eventsPersisted.add(events.size());
    for (EndpointStatsEvent e : events) {
      if (e instanceof StatsIngested ingested) {
        ingested.windows().forEach(w -> history.changed(w.start()));
        deps.counters().meter().persisted(key, ingested);
      }
    }
    writeRollups(after);
    publishAlerts(events);
  }

  /** Writes the changed minutes to the history; a failed write is retried on the next tick. */
  private void writeRollups(EndpointStatsState state) {
    ActorRef<Command> self = context.getSelf();
    history.write(state::minute, starts -> self.tell(new RollupFailed(starts)));
  }

  private void publishAlerts(List<EndpointStatsEvent> events) {
    for (EndpointStatsEvent e : events) {
      Alert alert = AlertEvents.alertOf(e);
      if (alert != null) {
        RuleAlertState.log(context.getLog(), alert);
        deps.counters().meter().alertChanged(alert);
        deps.alertTopic().tell(Topic.publish(alert));
      }
    }
  }

  @Override
  public EventHandler<EndpointStatsState, EndpointStatsEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((state, event) -> state.apply(event, settings));
  }
}
