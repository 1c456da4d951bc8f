package io.autoglm.monitor.notifier.group;

import io.autoglm.monitor.notifier.deliver.Dispatcher;
import io.autoglm.monitor.notifier.deliver.Notification;
import io.autoglm.monitor.notifier.route.Route;
import io.autoglm.monitor.persistence.event.AlertGroupEvent;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.AlertAdded;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.NotificationDone;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.NotificationDue;
import io.autoglm.monitor.persistence.event.AlertGroupEvent.Settings;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.alert.Alert;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One alert group of the notifier ({@link GroupState}), sharded by its key and event-sourced: each
 * group has one owner in the cluster, whichever node that is.
 *
 * <p>The notifier hands it the alert changes of a route with {@code group_by} ({@link Add},
 * answered once persisted: from then on the group owns them). When a notification is due it is
 * persisted first ({@link NotificationDue}, the group's outbox), then sent by this node's {@link
 * Dispatcher} with the key {@code <group id>-<seq>}, and marked done after. A group that starts (on
 * another node after a crash or a rebalance) sends a notification it finds not done again, with the
 * same key: a receiver may see it twice, never two keys for it. Groups are remembered entities: the
 * cluster starts a group again wherever its shard lands, so its timers run without a new alert. An
 * idle group (no alert, nothing on its way) passivates itself.
 */
public final class AlertGroupEntity
    extends EventSourcedBehavior<AlertGroupEntity.Command, AlertGroupEvent, GroupState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "AlertGroup");

  public sealed interface Command extends CborSerializable {}

  /** An alert change of this group; answered once the group holds it. */
  public record Add(Alert alert, Settings settings, ActorRef<Done> replyTo) implements Command {}

  private enum Flush implements Command {
    INSTANCE
  }

  private enum Stop implements Command {
    INSTANCE
  }

  private record Delivered(Dispatcher.Dispatched result) implements Command {}

  /**
   * What a group needs from its node.
   *
   * @param clock epoch ms
   * @param recheck the longest a group waits before it looks at the clock again (its timers run in
   *     real time: this bounds how late a clock a test moves is noticed)
   * @param idleGrace how long an idle group waits for another alert before it passivates (not at
   *     once: a group just started for an alert is idle until it has persisted the alert)
   */
  public record Dependencies(
      ActorRef<Dispatcher.Command> dispatcher,
      LongSupplier clock,
      Duration recheck,
      Duration idleGrace) {

    /** The node's: the wall clock, a look every minute, passivation after 30 s idle. */
    public Dependencies(ActorRef<Dispatcher.Command> dispatcher) {
      this(dispatcher, System::currentTimeMillis, Duration.ofMinutes(1), Duration.ofSeconds(30));
    }
  }

  /**
   * Starts the groups' sharding on this node: hosting groups if the node is in {@code
   * homeDataCenter}, the notifier's, else as a proxy to it (the groups are the one notifier's, and
   * their remembered entities are in the journal every data center shares).
   */
  public static void init(ActorSystem<?> system, Dependencies deps, String homeDataCenter) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_TYPE_KEY,
                    ctx ->
                        create(
                            ctx.getEntityId(),
                            deps,
                            self -> ctx.getShard().tell(new ClusterSharding.Passivate<>(self))))
                .withStopMessage(Stop.INSTANCE)
                .withSettings(
                    // remembered in the journal (the default store, ddata, would need LMDB files)
                    ClusterShardingSettings.create(system)
                        .withRememberEntities(true)
                        .withRememberEntitiesStoreMode(
                            ClusterShardingSettings.rememberEntitiesStoreModeEventSourced()))
                .withDataCenter(homeDataCenter));
  }

  /**
   * The group with entity id {@code id}.
   *
   * @param passivate asks the shard to stop the group (it is idle)
   */
  static Behavior<Command> create(
      String id, Dependencies deps, Consumer<ActorRef<Command>> passivate) {
    return Behaviors.setup(
        actor ->
            Behaviors.withTimers(
                timers ->
                    new AlertGroupEntity(
                        id, actor, timers, deps, () -> passivate.accept(actor.getSelf()))));
  }

  /** The group with {@code groupKey}, from a node of the groups' data center (the notifier's). */
  public static EntityRef<Command> ref(ActorSystem<?> system, String groupKey) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, idOf(groupKey));
  }

  /**
   * A group's entity id: a hash of its key (which holds label values of any length), so ids are
   * short and the same on every node.
   */
  public static String idOf(String groupKey) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(groupKey.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private final String id;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Dependencies deps;
  private final Runnable passivate;
  private final ActorRef<Dispatcher.Dispatched> results;

  private AlertGroupEntity(
      String id,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Dependencies deps,
      Runnable passivate) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), id));
    this.id = id;
    this.ctx = ctx;
    this.timers = timers;
    this.deps = deps;
    this.passivate = passivate;
    this.results = ctx.messageAdapter(Dispatcher.Dispatched.class, Delivered::new);
    ctx.setLoggerName(AlertGroupEntity.class);
  }

  @Override
  public GroupState emptyState() {
    return GroupState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<GroupState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.pending() != null) {
                ctx.getLog()
                    .info(
                        "Group {}: notification {} was not done when its last owner stopped;"
                            + " sending it again",
                        state.settings().groupKey(),
                        state.pending().seq());
                send(state, state.pending());
              } else {
                next(state);
              }
            })
        .build();
  }

  @Override
  public CommandHandler<Command, AlertGroupEvent, GroupState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Add.class, this::onAdd)
        .onCommand(Flush.class, this::onFlush)
        .onCommand(Delivered.class, this::onDelivered)
        .onCommand(Stop.class, (state, stop) -> Effect().stop())
        .build();
  }

  private Effect<AlertGroupEvent, GroupState> onAdd(GroupState state, Add add) {
    if (state.knows(add.alert())) {
      return Effect().none().thenReply(add.replyTo(), s -> Done.getInstance());
    }
    return Effect()
        .persist(new AlertAdded(add.alert(), add.settings(), deps.clock().getAsLong()))
        .thenRun(this::next)
        .thenReply(add.replyTo(), s -> Done.getInstance());
  }

  private Effect<AlertGroupEvent, GroupState> onFlush(GroupState state, Flush flush) {
    if (state.isIdle()) {
      passivate.run();
      return Effect().none();
    }
    NotificationDue due = state.due(deps.clock().getAsLong());
    if (due == null) {
      next(state);
      return Effect().none();
    }
    if (due.alerts().isEmpty()) {
      // only resolved alerts the receiver does not take: they leave the group, nothing is sent
      return Effect()
          .persist(List.of(due, new NotificationDone(due.seq(), "nothing to send")))
          .thenRun(this::next);
    }
    return Effect().persist(due).thenRun(s -> send(s, due));
  }

  private Effect<AlertGroupEvent, GroupState> onDelivered(GroupState state, Delivered d) {
    Dispatcher.Dispatched r = d.result();
    long seq = seqOf(r.notification().key());
    if (state.pending() == null || state.pending().seq() != seq) {
      return Effect().none();
    }
    String outcome =
        r.deliveredBy() == null
            ? "failed: " + String.join("; ", r.path())
            : "delivered by " + r.deliveredBy();
    if (r.deliveredBy() == null) {
      ctx.getLog()
          .error("Group notification {} reached no receiver: {}", r.notification().key(), r.path());
    }
    return Effect().persist(new NotificationDone(seq, outcome)).thenRun(this::next);
  }

  private long seqOf(String key) {
    return Long.parseLong(key.substring(key.lastIndexOf('-') + 1));
  }

  /** Sends {@code due} on this node's dispatcher. */
  private void send(GroupState state, NotificationDue due) {
    Settings s = state.settings();
    Notification n =
        new Notification(id + "-" + due.seq(), s.groupKey(), s.groupLabels(), due.alerts());
    Route.Match match =
        new Route.Match(
            s.receiver(),
            s.failover(),
            new ArrayList<>(s.groupLabels().keySet()),
            s.groupWaitMs(),
            s.groupIntervalMs(),
            s.repeatIntervalMs(),
            s.routePath());
    ctx.getLog()
        .debug(
            "Group {}: notification {} with {} alerts",
            s.groupKey(),
            due.seq(),
            due.alerts().size());
    deps.dispatcher().tell(new Dispatcher.Dispatch(n, match, results));
  }

  /** Sets the timer for what the group does next: its next notification, or, idle, to passivate. */
  private void next(GroupState state) {
    if (state.pending() != null) {
      return;
    }
    long wait =
        state.isIdle()
            ? deps.idleGrace().toMillis()
            : Math.max(0, state.nextDue() - deps.clock().getAsLong());
    timers.startSingleTimer(
        Flush.INSTANCE, Duration.ofMillis(Math.min(wait, deps.recheck().toMillis())));
  }

  @Override
  public EventHandler<GroupState, AlertGroupEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(GroupState::apply);
  }
}
