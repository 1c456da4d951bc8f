package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.persistence.event.AlertEvents;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpAlertChanged;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpEventTimeAdvanced;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpGroupIngested;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpStatsIngested;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent.IpsForgotten;
import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.DataCenterScope;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.detect.Detectors;
import io.autoglm.monitor.sharding.detect.MinuteHistory;
import io.autoglm.monitor.sharding.detect.Reading;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.detect.RuleEvaluator;
import io.autoglm.monitor.sharding.detect.Subject;
import io.autoglm.monitor.sharding.detect.model.Readable;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity.IngestAck;
import io.autoglm.monitor.sharding.stats.HistoryWriter;
import io.autoglm.monitor.sharding.stats.ReplayFilter;
import io.autoglm.monitor.sharding.stats.RollupSink;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The statistics of the tracked source IPs of one group ({@link IpGroupKey}: a service's IPs spread
 * by a hash of the address over {@code autoglm.ips.groups} groups), sharded and event-sourced. Per
 * IP it keeps what an IP entity would ({@link SourceIpStatsState}: pane and minute counts, the
 * endpoints it calls, its per-minute history, its rules' alerts); the group adds the exactly-once
 * bookkeeping, one journal write per delta for all its IPs, and one timer.
 *
 * <p>Why groups and not an actor per IP: an event-sourced actor costs about 5 KB of heap before it
 * holds any data (measured with {@code bench ip-spray --histogram}), and a burst of thousands of
 * newly tracked IPs would start thousands of actors, each recovering from Cassandra at once. A
 * group costs that once; an IP in it costs its statistics.
 *
 * <p>Which IPs are tracked is decided at ingest ({@link IpTracking}, {@link IpAdmission}); every
 * other IP is only counted in its endpoints' statistics. A group without new data for {@code
 * autoglm.stats.passivate-after} and with no rule pending or firing for any of its IPs stops, and
 * comes back from Cassandra (its IPs' statistics with it) with the next data. An IP without a write
 * for {@code autoglm.ips.idle} and with no rule pending or firing is forgotten (its history stays).
 */
public final class SourceIpGroupEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        SourceIpGroupEntity.Command, SourceIpStatsEvent, SourceIpGroupState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "SourceIpGroup");

  /**
   * The history of an IP is stored under this name and the IP's id (what the entity of a single IP
   * used before IPs were grouped), so it continues across that change.
   */
  public static final String HISTORY_PREFIX = "SourceIpStats|";

  public sealed interface Command extends CborSerializable {}

  /** Merge a delta; the reply comes once it is persisted. */
  public record Ingest(IpGroupDelta delta, ActorRef<StatusReply<IngestAck>> replyTo)
      implements Command {}

  /** One IP's statistics; {@code view} is null if the group does not keep the IP. */
  public record GetStats(String ipId, ActorRef<IpStatsReply> replyTo) implements Command {}

  public record IpStatsReply(SourceIpStatsView view) implements CborSerializable {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record RollupFailed(String entity, List<Long> minuteStarts) implements Command {}

  /**
   * What every group entity on a node shares.
   *
   * @param idle an IP without a write for this long, nothing pending or firing, is forgotten
   * @param historyInterval how often an IP's changed minutes are written to the history
   */
  public record Dependencies(
      StatsSettings settings,
      RuleCache rules,
      ActorRef<Topic.Command<Alert>> alertTopic,
      NodeClock clock,
      RollupSink rollups,
      Duration idle,
      Duration historyInterval) {}

  private final IpGroupKey key;
  private final Dependencies deps;
  private final StatsSettings settings;
  private final ActorContext<Command> context;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final HistoryWriter history;
  // HISTORY_PREFIX, and the data center's name outside the default one
  private final String historyPrefix;
  private long lastArrivalWallMs;

  /**
   * Since when the nodes sending to this group have watched its service's source IPs (event time,
   * the earliest any of them told it since this entity started; not persisted): a source IP's QPS
   * before it was tracked counts as 0 back to here, so an IP that appears and floods at once has a
   * history to be compared with.
   */
  private long observingSince = Long.MAX_VALUE;

  private long lastHistoryWriteNanos;
  private boolean passivating;

  public static void init(ActorSystem<?> system, Dependencies deps) {
    DataCenterScope dataCenter = DataCenterScope.of(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_TYPE_KEY,
                    ctx -> create(ctx.getEntityId(), ctx.getShard(), deps, dataCenter))
                // passivates itself (see the class comment), as the endpoint entity does
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /**
   * @param shard where to ask for passivation; null outside sharding (tests): never passivates
   */
  public static Behavior<Command> create(
      String entityId, ActorRef<ClusterSharding.ShardCommand> shard, Dependencies deps) {
    return create(entityId, shard, deps, DataCenterScope.DEFAULT);
  }

  /**
   * @param dataCenter names the group's persistence id and its IPs' history (its data center's own)
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
                  return new SourceIpGroupEntity(
                      ctx, shard, IpGroupKey.fromEntityId(entityId), deps, dataCenter);
                }));
  }

  private SourceIpGroupEntity(
      ActorContext<Command> context,
      ActorRef<ClusterSharding.ShardCommand> shard,
      IpGroupKey key,
      Dependencies deps,
      DataCenterScope dataCenter) {
    super(
        dataCenter.persistenceId(ENTITY_TYPE_KEY, key.entityId()),
        deps.settings().restartBackoff().strategy());
    this.historyPrefix = historyPrefix(dataCenter);
    this.context = context;
    this.shard = shard;
    this.key = key;
    this.deps = deps;
    this.settings = deps.settings();
    this.lastArrivalWallMs = deps.clock().wallMillis();
    this.history = new HistoryWriter(deps.rollups());
    this.lastHistoryWriteNanos = deps.clock().monotonicNanos() - deps.historyInterval().toNanos();
  }

  /** Under which name the minutes of {@code ip} counted in {@code dataCenter} are stored. */
  public static String historyEntity(DataCenterScope dataCenter, IpKey ip) {
    return historyPrefix(dataCenter) + ip.entityId();
  }

  private static String historyPrefix(DataCenterScope dataCenter) {
    return HISTORY_PREFIX + dataCenter.qualified("");
  }

  @Override
  public SourceIpGroupState emptyState() {
    return SourceIpGroupState.empty(key.entityId());
  }

  /**
   * Alert changes carry the alert tag: the notifier reads them from the journal by it ({@link
   * AlertEvents}).
   */
  @Override
  public java.util.Set<String> tagsFor(SourceIpStatsEvent event) {
    return AlertEvents.tagsFor(event);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2)
        .withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<SourceIpGroupState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              lastArrivalWallMs = deps.clock().wallMillis();
              // what was written since the last history write may be missing: write it all again
              state
                  .ips()
                  .forEach(
                      (ipId, ip) ->
                          ip.minutes()
                              .forEach(m -> history.changed(historyPrefix + ipId, m.start())));
              writeHistory(state);
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, SourceIpStatsEvent, SourceIpGroupState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Ingest.class, this::onIngest)
        .onCommand(
            GetStats.class,
            (state, cmd) -> {
              SourceIpStatsState ip = state.ip(cmd.ipId());
              return Effect()
                  .reply(
                      cmd.replyTo(),
                      new IpStatsReply(ip == null ? null : SourceIpStatsView.of(ip)));
            })
        .onCommand(Tick.class, this::onTick)
        .onCommand(
            RollupFailed.class,
            (state, cmd) -> {
              cmd.minuteStarts().forEach(m -> history.changed(cmd.entity(), m));
              return Effect().noReply();
            })
        .build();
  }

  /** A batch of one agent source: what its parts of this delta are judged by. */
  private record Batch(String source, long seq) {}

  private ReplyEffect<SourceIpStatsEvent, SourceIpGroupState> onIngest(
      SourceIpGroupState state, Ingest cmd) {
    long now = deps.clock().wallMillis();
    lastArrivalWallMs = now;
    long horizon = settings.futureLimit(now);
    Map<Batch, ReplayFilter.Verdict> verdicts = judge(state, cmd.delta());
    observingSince = Math.min(observingSince, cmd.delta().serviceSince());
    Map<String, Long> applied = new HashMap<>();
    verdicts.forEach(
        (b, v) -> {
          if (v == ReplayFilter.Verdict.APPLY && b.source() != null) {
            applied.merge(b.source(), b.seq(), Math::max);
          }
        });
    long accepted = 0;
    long late = 0;
    long duplicates = 0;
    long expired = 0;
    long future = 0;
    List<IpStatsIngested> perIp = new ArrayList<>();
    for (IpDelta delta : cmd.delta().ips()) {
      String ipId = delta.key().entityId();
      Merged m = merged(ipId, state.ipOrEmpty(ipId), delta.parts(), verdicts, horizon);
      accepted += m.accepted;
      late += m.late;
      duplicates += m.duplicates;
      expired += m.expired;
      future += m.future;
      if (m.ingested != null) {
        perIp.add(m.ingested);
      }
    }
    IpStatsIngested service =
        merged(
                serviceId(key.service()),
                state.serviceOrEmpty(serviceId(key.service())),
                cmd.delta().service(),
                verdicts,
                horizon)
            .ingested;
    IngestAck ack = new IngestAck(accepted, late, duplicates, future, expired);
    if (perIp.isEmpty() && applied.isEmpty()) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(ack));
    }
    IpGroupIngested ingested =
        new IpGroupIngested(key.entityId(), List.copyOf(perIp), Map.copyOf(applied), now, service);
    SourceIpGroupState merged = state.apply(ingested, settings);
    List<SourceIpStatsEvent> events = new ArrayList<>();
    events.add(ingested);
    for (IpStatsIngested ip : perIp) {
      events.addAll(
          alertChanges(
              state.ipOrEmpty(ip.ipId()),
              merged.ip(ip.ipId()),
              merged.service(),
              ip.evaluatedAt()));
    }
    return Effect()
        .persist(events)
        .thenRun(after -> afterPersist(events, after))
        .thenReply(cmd.replyTo(), after -> StatusReply.success(ack));
  }

  /** The id the service's own counts are kept under in a group: {@code <service>/*}. */
  static String serviceId(String service) {
    return service + "/*";
  }

  /** The parts of one IP (or the service) merged, and how many records each way they went. */
  private static final class Merged {
    IpStatsIngested ingested;
    long accepted;
    long late;
    long duplicates;
    long expired;
    long future;
  }

  /**
   * The parts of {@code ipId} (whose statistics stand as {@code ip}) that the batches' verdicts let
   * through, as one ingest: replays and expired batches dropped, panes past {@code horizon} (from
   * the future) and behind the IP's watermark (late) counted but not kept.
   */
  private static Merged merged(
      String ipId,
      SourceIpStatsState ip,
      List<IpPart> parts,
      Map<Batch, ReplayFilter.Verdict> verdicts,
      long horizon) {
    Merged m = new Merged();
    TreeMap<Long, IpCounts> onTime = new TreeMap<>();
    Map<String, Long> endpoints = new HashMap<>();
    Map<String, Long> apiKeys = new HashMap<>();
    long maxEventTs = SourceIpStatsState.NONE;
    for (IpPart part : parts) {
      ReplayFilter.Verdict verdict =
          part.identified()
              ? verdicts.getOrDefault(
                  new Batch(part.sourceKey(), part.seq()), ReplayFilter.Verdict.DUPLICATE)
              : ReplayFilter.Verdict.APPLY;
      if (verdict == ReplayFilter.Verdict.DUPLICATE) {
        m.duplicates += part.records();
        continue;
      }
      if (verdict == ReplayFilter.Verdict.EXPIRED) {
        m.expired += part.records();
        continue;
      }
      for (IpCounts p : part.panes()) {
        if (p.start() >= horizon) {
          m.future += p.count();
        } else if (p.end() <= ip.watermark()) {
          m.late += p.count();
        } else {
          m.accepted += p.count();
          onTime.merge(p.start(), p, IpCounts::merge);
        }
      }
      part.endpoints().forEach((path, n) -> endpoints.merge(path, n, Long::sum));
      part.apiKeys().forEach((apiKey, n) -> apiKeys.merge(apiKey, n, Long::sum));
      maxEventTs = Math.max(maxEventTs, Math.min(part.maxEventTs(), horizon));
    }
    if (m.accepted + m.late > 0) {
      long at =
          maxEventTs == SourceIpStatsState.NONE
              ? ip.evaluatedAt()
              : Math.max(ip.evaluatedAt(), maxEventTs + 1);
      m.ingested =
          new IpStatsIngested(
              ipId,
              List.copyOf(onTime.values()),
              m.accepted,
              m.late,
              maxEventTs,
              Map.of(),
              Map.copyOf(endpoints),
              at,
              SourceIpStatsState.topCounts(Map.of(), apiKeys));
    }
    return m;
  }

  /**
   * The verdict on each identified batch of the delta, judged once per batch in seq order per
   * source (a batch's parts are spread over the IPs it came from).
   */
  private static Map<Batch, ReplayFilter.Verdict> judge(
      SourceIpGroupState state, IpGroupDelta delta) {
    TreeMap<Batch, IpPart> batches =
        new TreeMap<>(Comparator.comparing(Batch::source).thenComparingLong(Batch::seq));
    for (IpDelta d : delta.ips()) {
      for (IpPart p : d.parts()) {
        if (p.identified()) {
          batches.putIfAbsent(new Batch(p.sourceKey(), p.seq()), p);
        }
      }
    }
    ReplayFilter replays = new ReplayFilter(state::appliedSeq, state::forgotten);
    Map<Batch, ReplayFilter.Verdict> verdicts = new HashMap<>();
    batches.forEach((b, part) -> verdicts.put(b, replays.judge(part)));
    return verdicts;
  }

  private ReplyEffect<SourceIpStatsEvent, SourceIpGroupState> onTick(
      SourceIpGroupState state, Tick tick) {
    long now = deps.clock().wallMillis();
    if (deps.clock().monotonicNanos() - lastHistoryWriteNanos >= deps.historyInterval().toNanos()) {
      writeHistory(state);
    }
    List<SourceIpStatsEvent> events = new ArrayList<>();
    List<String> idle = new ArrayList<>();
    long idleMs = deps.idle().toMillis();
    for (SourceIpStatsState ip : state.ips().values()) {
      boolean active = ip.alertActive();
      if (!active) {
        if (ip.lastReceivedAt() != SourceIpStatsState.NONE
            ? now - ip.lastReceivedAt() >= idleMs
            : now - lastArrivalWallMs >= idleMs) {
          idle.add(ip.ipId());
        }
        continue;
      }
      // only a pending or firing rule needs event time to move while the IP is quiet (to
      // resolve it): quiet IPs that merely have rules would otherwise write every second
      long quietFor = Math.max(0, now - Math.max(ip.lastReceivedAt(), lastArrivalWallMs));
      long at = settings.paneStartOf(Math.min(ip.maxEventTs() + 1 + quietFor, now));
      if (at > ip.evaluatedAt()) {
        events.add(new IpEventTimeAdvanced(ip.ipId(), at));
        events.addAll(alertChanges(ip, ip, state.service(), at));
      }
    }
    if (!idle.isEmpty()) {
      idle.sort(null);
      writeHistory(state); // their last minutes, before they go
      events.add(new IpsForgotten(key.entityId(), List.copyOf(idle)));
    }
    // idle and nothing to do: stop, and come back from Cassandra (IPs and all) with the next data
    if (shard != null
        && !passivating
        && events.isEmpty()
        && !anyAlertActive(state)
        && now - lastArrivalWallMs >= settings.passivateAfter().toMillis()) {
      writeHistory(state);
      passivating = true;
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    return Effect().persist(events).thenRun(after -> afterPersist(events, after)).thenNoReply();
  }

  private static boolean anyAlertActive(SourceIpGroupState state) {
    for (SourceIpStatsState ip : state.ips().values()) {
      if (ip.alertActive()) {
        return true;
      }
    }
    return false;
  }

  private List<ThresholdRule> rules(IpKey ip) {
    return deps.rules().evaluated().stream()
        .filter(r -> r.appliesToIp(ip.service(), ip.ip()))
        .toList();
  }

  /**
   * The alert changes of moving an IP's event time from {@code before}'s to {@code at}; {@code
   * service} holds its service's counts (null if none yet).
   */
  private List<SourceIpStatsEvent> alertChanges(
      SourceIpStatsState before, SourceIpStatsState data, SourceIpStatsState service, long at) {
    IpKey ip = IpKey.fromEntityId(before.ipId());
    List<ThresholdRule> rules = rules(ip);
    if (rules.isEmpty() && before.alerts().isEmpty()) {
      return List.of();
    }
    long oldest = data.panes().isEmpty() ? at - 1 : data.panes().get(0).start();
    // an IP's history is the minutes it keeps (max-window): no ring per IP, since a node may
    // track many
    MinuteHistory history = new MinuteHistory(1);
    Metric[] metrics = RuleEvaluator.metricsReadFromHistory(rules, history, settings);
    for (IpCounts m : data.minutes()) {
      if (metrics.length > 0 && m.end() <= at) {
        history.record(m.start(), m.count(), metrics, metric -> valueOf(metric, m));
      }
    }
    if (observingSince != Long.MAX_VALUE) {
      // back to the minutes an IP keeps (max-window): older ones are not held, not empty
      long kept =
          StatsSettings.minuteStartOf(at - settings.maxWindowMs()) + StatsSettings.MINUTE_MS;
      history.observedSince(
          Math.max(kept, StatsSettings.minuteStartOf(observingSince) + StatsSettings.MINUTE_MS),
          at);
    }
    Subject subject =
        new Subject() {
          @Override
          public MinuteHistory.Measured window(Metric metric, long t, long windowMs) {
            IpCounts w = data.windowAt(t, windowMs, settings);
            return new MinuteHistory.Measured(valueOf(metric, w), w.count());
          }

          @Override
          public MinuteHistory history() {
            return history;
          }
        };
    List<EndpointStatsEvent> changes =
        RuleEvaluator.evaluate(
            ip.entityId(),
            before.alerts(),
            RuleEvaluator.evaluationPoints(before.evaluatedAt(), at, oldest, settings),
            rules,
            (rule, t) -> {
              long windowMs = settings.windowOf(rule.windowMs());
              Reading r = Detectors.read(rule, subject, t, windowMs);
              return r != null && r.breached() && rule.metric().isRate()
                  ? againstTheRestOfTheService(rule, r, data, service, t, windowMs)
                  : r;
            },
            RuleEvaluator.alertsOf(ip.service(), "*", ip.ip()));
    List<SourceIpStatsEvent> events = new ArrayList<>(changes.size());
    changes.forEach(c -> events.add(new IpAlertChanged(ip.entityId(), c)));
    return events;
  }

  /** The least requests of the rest of a service an IP's rate is compared with. */
  static final long MIN_REST_REQUESTS = 100;

  /**
   * The share of an IP's rate that the rest of its service must reach for a breach to be the
   * service's, not the IP's.
   */
  static final double SHARED_SHARE = 0.5;

  /**
   * A rate rule's breach {@code r} for an IP ({@code data}) held against the rest of its service
   * over the same window: when the other clients see at least half the IP's rate, it is an outage
   * every client sees, which the endpoints' own alerts report; the IP's breach does not count.
   * Otherwise the reading says what the rest saw. Without enough of the rest to compare with, the
   * breach stands as it is.
   */
  private Reading againstTheRestOfTheService(
      ThresholdRule rule,
      Reading r,
      SourceIpStatsState data,
      SourceIpStatsState service,
      long t,
      long windowMs) {
    if (service == null) {
      return r;
    }
    IpCounts rest =
        service.windowAt(t, windowMs, settings).minus(data.windowAt(t, windowMs, settings));
    double restValue = valueOf(rule.metric(), rest);
    if (rest.count() < MIN_REST_REQUESTS || Double.isNaN(restValue)) {
      return r;
    }
    if (restValue >= SHARED_SHARE * r.value()) {
      return r.notBreached();
    }
    return r.withEvidence(
        rule, "the rest of the service " + Readable.number(restValue) + " over the same window");
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
      case P95_LATENCY_MS, P99_LATENCY_MS, TTFT_P95_MS -> Double.NaN;
    };
  }

  private void afterPersist(List<SourceIpStatsEvent> events, SourceIpGroupState after) {
    for (SourceIpStatsEvent e : events) {
      if (e instanceof IpGroupIngested ingested) {
        for (IpStatsIngested ip : ingested.ips()) {
          ip.panes().forEach(p -> history.changed(historyPrefix + ip.ipId(), p.start()));
        }
      } else if (e instanceof IpAlertChanged changed) {
        Alert alert = AlertEvents.alertOf(changed.change());
        if (alert != null) {
          RuleAlertState.log(context.getLog(), alert);
          deps.alertTopic().tell(Topic.publish(alert));
        }
        if (changed.change() instanceof AlertFired) {
          writeHistory(after); // an alert's minutes reach the history at once
        }
      }
    }
  }

  /** Writes the IPs' changed minutes to the history (as counts: no latency per IP). */
  private void writeHistory(SourceIpGroupState state) {
    lastHistoryWriteNanos = deps.clock().monotonicNanos();
    ActorRef<Command> self = context.getSelf();
    history.write(
        (entity, start) -> {
          SourceIpStatsState ip = state.ip(entity.substring(historyPrefix.length()));
          IpCounts m = ip == null ? null : ip.minute(start);
          return m == null ? null : m.asWindowStats();
        },
        (entity, starts) -> self.tell(new RollupFailed(entity, starts)));
  }

  @Override
  public EventHandler<SourceIpGroupState, SourceIpStatsEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((state, event) -> state.apply(event, settings));
  }
}
