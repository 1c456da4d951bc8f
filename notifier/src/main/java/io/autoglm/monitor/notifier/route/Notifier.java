package io.autoglm.monitor.notifier.route;

import io.autoglm.monitor.notifier.NotifierNode;
import io.autoglm.monitor.notifier.channel.AlertmanagerPayload;
import io.autoglm.monitor.notifier.channel.WebhookSettings;
import io.autoglm.monitor.notifier.deliver.DeliveryWorker;
import io.autoglm.monitor.notifier.deliver.Dispatcher;
import io.autoglm.monitor.notifier.deliver.Notification;
import io.autoglm.monitor.notifier.deliver.Providers;
import io.autoglm.monitor.notifier.deliver.Sender;
import io.autoglm.monitor.notifier.group.AlertGroupEntity;
import io.autoglm.monitor.notifier.outbox.AlertJournal;
import io.autoglm.monitor.notifier.outbox.NotificationAudit;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.persistence.event.AlertGroupEvent;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Filters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Root of the notifier hierarchy, once per cluster (a cluster singleton): decides, for every alert
 * change, which receivers get it, writes that to the outbox, and has the {@link Dispatcher} send
 * it.
 *
 * <p>Alert changes come two ways, and the first to arrive is the one acted on (they are told apart
 * by the change's idempotency key):
 *
 * <ul>
 *   <li>from the cluster's alert topic, as the entity persists them: fast (milliseconds);
 *   <li>from the journal, by tag ({@link AlertJournal}), about two seconds later: durable. A
 *       journal entry counts as handled once every delivery of its change is done; only then does
 *       the saved offset move past it (and never to less than a minute ago: {@link
 *       AlertJournal#REREAD}). A notifier that starts (after a crash, on a new node after a
 *       handover) reads on from the saved offset, so every change the last one had not finished is
 *       looked up in the outbox and sent again, to the receivers not yet done, with the same key.
 * </ul>
 *
 * <p>Deciding: a change the {@link NotificationGate} holds back (a silent change of a flapping
 * alert, a rule past its {@code notify_limit}) or that an endpoint's outage inhibits ({@link
 * InhibitRule#OUTAGE_MUTES_IPS}) is recorded as suppressed; otherwise it goes by the routing tree
 * to every receiver it matches, each with its failover chain. The outbox ({@link NotifierStore})
 * holds one row per receiver, written before anything is sent and marked done after.
 */
public final class Notifier extends AbstractBehavior<Notifier.Command> {

  /** The name of the notifier's offset in {@code notifier_offset}. */
  public static final String OFFSET_NAME = "notifier";

  /** Changes remembered in memory (done ones are forgotten first; the outbox has them all). */
  static final int MAX_REMEMBERED = 20_000;

  /** Journal entries waiting for their deliveries at once. */
  private static final int JOURNAL_PARALLELISM = 32;

  /** How often the silences are read again anyway. */
  private static final Duration SILENCE_RELOAD = Duration.ofSeconds(30);

  /** How often escalations due are looked for. */
  private static final Duration ESCALATION_TICK = Duration.ofSeconds(1);

  /** How long a group may take to take an alert change, and the pause before asking again. */
  private static final Duration GROUP_ASK = Duration.ofSeconds(10);

  private static final Duration GROUP_RETRY = Duration.ofSeconds(2);

  /** How long a journal entry may wait for its deliveries before the reading restarts. */
  private static final Duration JOURNAL_WAIT = Duration.ofMinutes(10);

  public sealed interface Command {}

  /** An alert change from the alert topic. */
  private record Published(Alert alert) implements Command {}

  /** An alert change from the journal: answered once every delivery of it is done. */
  public record Journaled(Alert alert, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  private record Looked(String key, List<NotifierStore.OutboxRow> rows, Throwable failure)
      implements Command {}

  private record Decided(String key, List<Route.Match> matches, Throwable failure)
      implements Command {}

  private record Dispatched(Dispatcher.Dispatched result) implements Command {}

  private record MarkedDone(String key, String receiver, Throwable failure) implements Command {}

  /** A group took (or did not take: {@code failure}) an alert change for a receiver. */
  private record Grouped(String key, Route.Match match, String groupKey, Throwable failure)
      implements Command {}

  /** Hand a change to its group again, after {@code Grouped} failed. */
  private record Regroup(String key, Route.Match match) implements Command {}

  /** An attempt a delivery worker made (told from the worker's thread). */
  private record Attempted(Notification about, DeliveryWorker.Attempt attempt) implements Command {}

  private record FailedOver(Dispatcher.Failover failover) implements Command {}

  /**
   * Someone acknowledged the firing alert with {@code fingerprint}: its escalation stops. The
   * answer says whether the alert is firing (else nothing was acknowledged) and whether it was
   * escalating.
   */
  public record Acknowledge(String fingerprint, ActorRef<Acknowledged> replyTo)
      implements Command {}

  public record Acknowledged(String fingerprint, boolean firing, boolean escalationStopped) {}

  private enum EscalationTick implements Command {
    INSTANCE
  }

  /** The silences changed (the API wrote them): read them again. */
  public enum ReloadSilences implements Command {
    INSTANCE
  }

  /**
   * The silences changed (the API wrote them): read them again, and answer once they apply, so a
   * silence the API accepted mutes what the notifier decides from then on.
   */
  public record ApplySilences(ActorRef<Done> replyTo) implements Command {}

  private record SilencesLoaded(List<String> json, Throwable failure, ActorRef<Done> replyTo)
      implements Command {}

  private record EscalationDecided(Escalations.Step step, Route.Match match, Throwable failure)
      implements Command {}

  /** One alert change as this notifier knows it. */
  private static final class Change {
    final Alert alert;
    final Set<String> outstanding = new HashSet<>();
    final List<ActorRef<StatusReply<Done>>> waiters = new ArrayList<>();
    boolean done;

    Change(Alert alert) {
      this.alert = alert;
    }
  }

  /**
   * @param filtersOf a rule's filters by its id (null for a rule not known): its notification limit
   * @param routing where alerts go now (read at each decision: the API may change it)
   * @param store the offset and the outbox
   */
  public static Behavior<Command> create(
      ActorRef<Topic.Command<Alert>> alertTopic,
      WebhookSettings webhook,
      Function<String, Filters> filtersOf,
      Supplier<Routing> routing,
      Providers providers,
      NotifierStore store) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(
                      EscalationTick.INSTANCE, ESCALATION_TICK, ESCALATION_TICK);
                  // besides the API's nudge: what another node's API wrote while this one
                  // was not the notifier, or a nudge lost
                  timers.startTimerWithFixedDelay(
                      ReloadSilences.INSTANCE, SILENCE_RELOAD, SILENCE_RELOAD);
                  return new Notifier(
                      ctx, alertTopic, webhook, filtersOf, routing, providers, store);
                }));
  }

  private final Supplier<Routing> routing;
  private final NotifierStore store;
  private final NotificationGate gate;
  private final NotificationAudit audit;
  private final Escalations escalations = new Escalations();
  private List<Silence> silences = List.of();

  /** Firing alerts a silence or an inhibition kept from the receivers: their resolve is too. */
  private final java.util.LinkedHashSet<String> mutedFirings = new java.util.LinkedHashSet<>();

  private static final String SILENCED = "silenced by ";

  private static final String INHIBITED = "inhibited by an outage of service ";
  private final ActorRef<Dispatcher.Command> dispatcher;
  private final ActorRef<Dispatcher.Dispatched> results;
  private final Map<String, Map<String, String>> firing = new HashMap<>();
  private final LinkedHashMap<String, Change> changes = new LinkedHashMap<>();
  private final UniqueKillSwitch journalReading;

  private Notifier(
      ActorContext<Command> ctx,
      ActorRef<Topic.Command<Alert>> alertTopic,
      WebhookSettings webhook,
      Function<String, Filters> filtersOf,
      Supplier<Routing> routing,
      Providers providers,
      NotifierStore store) {
    super(ctx);
    this.routing = routing;
    this.store = store;
    this.gate = new NotificationGate(filtersOf);
    this.audit = new NotificationAudit(store);
    Sender sender = NotifierNode.sender(ctx.getSystem(), webhook, providers);
    DeliveryWorker.Settings settings = DeliveryWorker.Settings.of(webhook);
    this.dispatcher =
        ctx.spawn(
            Dispatcher.create(
                name -> routing.get().receivers().get(name),
                providers,
                webhook.externalUrl(),
                settings,
                sender,
                // called from the workers' threads: only a tell
                (about, attempt) -> ctx.getSelf().tell(new Attempted(about, attempt)),
                failover -> ctx.getSelf().tell(new FailedOver(failover))),
            "dispatcher");
    this.results = ctx.messageAdapter(Dispatcher.Dispatched.class, Dispatched::new);
    ctx.getLog()
        .info(
            "Alerts are routed to receivers {}",
            new java.util.TreeSet<>(routing.get().receivers().keySet()));
    alertTopic.tell(Topic.subscribe(ctx.messageAdapter(Alert.class, Published::new)));
    ctx.getSelf().tell(ReloadSilences.INSTANCE);
    this.journalReading = readJournal(ctx);
  }

  /**
   * Reads the journal's alert changes from the saved offset, each handed to this actor and answered
   * once done; the offset of the handled prefix is saved every second. Restarts with backoff (from
   * the saved offset) when the query or a lookup fails.
   */
  private UniqueKillSwitch readJournal(ActorContext<Command> ctx) {
    var system = ctx.getSystem();
    ActorRef<Command> self = ctx.getSelf();
    RestartSettings restart =
        RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);
    return RestartSource.withBackoff(
            restart,
            () ->
                AlertJournal.afterSaved(system, () -> store.offset(OFFSET_NAME))
                    .mapAsync(
                        JOURNAL_PARALLELISM,
                        entry ->
                            AskPattern.<Command, Done>askWithStatus(
                                    self,
                                    reply -> new Journaled(entry.alert(), reply),
                                    JOURNAL_WAIT,
                                    system.scheduler())
                                .thenApply(done -> entry.offset()))
                    .groupedWithin(1_000, Duration.ofSeconds(1))
                    .mapAsync(
                        1,
                        handled ->
                            store.saveOffset(
                                OFFSET_NAME,
                                AlertJournal.offsetToSave(
                                    system,
                                    handled.get(handled.size() - 1),
                                    System.currentTimeMillis()))))
        .viaMat(KillSwitches.single(), Keep.right())
        .to(Sink.ignore())
        .run(system);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Published.class, this::onPublished)
        .onMessage(Journaled.class, this::onJournaled)
        .onMessage(Looked.class, this::onLooked)
        .onMessage(Decided.class, this::onDecided)
        .onMessage(Dispatched.class, this::onDispatched)
        .onMessage(MarkedDone.class, this::onMarkedDone)
        .onMessage(Grouped.class, this::onGrouped)
        .onMessage(
            Regroup.class,
            r -> {
              Change c = changes.get(r.key());
              if (c != null && c.outstanding.contains(r.match().receiver())) {
                toGroup(r.key(), c.alert, r.match());
              }
              return this;
            })
        .onMessage(
            Attempted.class,
            a -> {
              audit.attempt(a.about(), a.attempt());
              return this;
            })
        .onMessage(Acknowledge.class, this::onAcknowledge)
        .onMessage(
            ReloadSilences.class,
            r -> {
              getContext()
                  .pipeToSelf(
                      store.silences(), (json, failure) -> new SilencesLoaded(json, failure, null));
              return this;
            })
        .onMessage(
            ApplySilences.class,
            a -> {
              getContext()
                  .pipeToSelf(
                      store.silences(),
                      (json, failure) -> new SilencesLoaded(json, failure, a.replyTo()));
              return this;
            })
        .onMessage(SilencesLoaded.class, this::onSilencesLoaded)
        .onMessage(EscalationTick.class, t -> onEscalationTick())
        .onMessage(EscalationDecided.class, this::onEscalationDecided)
        .onMessage(
            FailedOver.class,
            f -> {
              audit.failover(f.failover().notification().key(), f.failover());
              return this;
            })
        .onSignal(
            PostStop.class,
            s -> {
              journalReading.shutdown();
              return this;
            })
        .build();
  }

  private static String keyOf(Alert alert) {
    return AlertmanagerPayload.idempotencyKey(alert);
  }

  private Behavior<Command> onPublished(Published p) {
    String key = keyOf(p.alert());
    if (!changes.containsKey(key)) {
      decide(key, remember(key, p.alert()));
    }
    return this;
  }

  /** What the journal reading did since the last progress line. */
  private int journalRead;

  private int journalLookedUp;

  private int journalResent;

  private int journalUndecided;

  private int journalAnswered;

  private Behavior<Command> onJournaled(Journaled j) {
    journalRead++;
    String key = keyOf(j.alert());
    Change c = changes.get(key);
    if (c != null) {
      if (c.done) {
        journalAnswered++;
        j.replyTo().tell(StatusReply.ack());
      } else {
        c.waiters.add(j.replyTo());
      }
      return this;
    }
    c = remember(key, j.alert());
    c.waiters.add(j.replyTo());
    journalLookedUp++;
    getContext().pipeToSelf(store.rows(key), (rows, failure) -> new Looked(key, rows, failure));
    return this;
  }

  /** What the outbox knew of a change read from the journal that this notifier did not know. */
  private Behavior<Command> onLooked(Looked l) {
    Change c = changes.get(l.key());
    if (c == null) {
      return this;
    }
    if (l.failure() != null) {
      changes.remove(l.key());
      c.waiters.forEach(w -> w.tell(StatusReply.error(l.failure())));
      return this;
    }
    if (l.rows().isEmpty()) {
      journalUndecided++;
      decide(l.key(), c); // never decided: the notifier that read it first stopped before
      return this;
    }
    Set<String> pending = new HashSet<>();
    for (NotifierStore.OutboxRow row : l.rows()) {
      if (!row.done() && !row.receiver().equals(NotifierStore.NO_RECEIVER)) {
        pending.add(row.receiver());
      }
    }
    if (pending.isEmpty()) {
      finish(c);
      return this;
    }
    journalResent++;
    getContext()
        .getLog()
        .info(
            "Sending again (the notifier that sent it stopped before it was done): {} to {}",
            c.alert.summary(),
            pending);
    c.outstanding.addAll(pending);
    List<Route.Match> matches = new ArrayList<>();
    for (Route.Match m : routing.get().route().match(Routing.labelsOf(c.alert))) {
      if (pending.remove(m.receiver())) {
        matches.add(m);
      }
    }
    for (String gone : pending) {
      markDone(l.key(), gone, "not sent: no route leads to this receiver any more");
    }
    dispatch(l.key(), c, matches);
    return this;
  }

  /** Decides where a change goes, writes that to the outbox, then sends it. */
  private void decide(String key, Change c) {
    Alert alert = c.alert;
    Map<String, String> labels = Routing.labelsOf(alert);
    if (alert.isFiring()) {
      firing.put(alert.fingerprint(), labels);
    } else {
      firing.remove(alert.fingerprint());
    }
    String held = heldBack(alert, labels);
    if (alert.isFiring()) {
      if (held != null && (held.startsWith(SILENCED) || held.startsWith(INHIBITED))) {
        mutedFirings.add(alert.fingerprint());
        if (mutedFirings.size() > MAX_REMEMBERED) {
          mutedFirings.remove(mutedFirings.iterator().next());
        }
      } else if (held == null) {
        mutedFirings.remove(alert.fingerprint());
      }
    } else if (mutedFirings.remove(alert.fingerprint()) && held == null) {
      // a receiver never hears of the end of something it never heard of
      held = "its firing was silenced or inhibited, so not sent";
    }
    List<Route.Match> matches = held == null ? routing.get().route().match(labels) : List.of();
    if (!alert.isFiring()) {
      // a group takes every resolve (the alert leaves it), and tells receivers that take them
      matches = matches.stream().filter(m -> grouped(m) || takesResolved(m.receiver())).toList();
      if (held == null && matches.isEmpty()) {
        held = "its receivers do not take resolved alerts (send_resolved: false)";
      }
    }
    if (held == null && matches.stream().allMatch(m -> feedOnly(m.receiver()))) {
      held = "the feed only (no receiver with a channel)";
      matches = List.of();
    }
    Instant now = Instant.now();
    List<Route.Match> chosen = matches;
    if (!alert.isFiring()) {
      escalations.acknowledge(alert.fingerprint()); // a resolved alert escalates no further
    }
    if (held != null) {
      audit.suppressed(key, alert, held);
      pipe(key, chosen, store.suppressed(key, alert.summary(), "not sent: " + held, now));
    } else {
      chosen.forEach(m -> c.outstanding.add(m.receiver()));
      chosen.forEach(m -> escalations.changed(alert, m, now.toEpochMilli()));
      List<String> receivers = new ArrayList<>(c.outstanding);
      pipe(key, chosen, store.decided(key, receivers, alert.summary(), now));
    }
  }

  private void pipe(
      String key, List<Route.Match> matches, java.util.concurrent.CompletionStage<Void> write) {
    getContext().pipeToSelf(write, (ok, failure) -> new Decided(key, matches, failure));
  }

  private boolean takesResolved(String receiver) {
    var r = routing.get().receivers().get(receiver);
    return r == null || r.sendResolved();
  }

  private boolean feedOnly(String receiver) {
    var r = routing.get().receivers().get(receiver);
    return r != null && r.channels().isEmpty();
  }

  private Behavior<Command> onSilencesLoaded(SilencesLoaded l) {
    if (l.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "Could not read the silences ({}); keeping {}",
              l.failure().toString(),
              silences.size());
      answer(l);
      return this;
    }
    List<Silence> loaded = new ArrayList<>();
    for (String json : l.json()) {
      try {
        var tree = io.autoglm.monitor.protocols.json.Json.mapper().readTree(json);
        loaded.add(SilenceCodec.parse(tree, tree.path("id").asText(), Instant.now()));
      } catch (Exception e) {
        getContext()
            .getLog()
            .warn("A stored silence cannot be read ({}): {}", e.getMessage(), json);
      }
    }
    silences = List.copyOf(loaded);
    answer(l);
    return this;
  }

  private static void answer(SilencesLoaded l) {
    if (l.replyTo() != null) {
      l.replyTo().tell(Done.getInstance());
    }
  }

  private Behavior<Command> onAcknowledge(Acknowledge a) {
    boolean firing = this.firing.containsKey(a.fingerprint());
    boolean stopped = escalations.acknowledge(a.fingerprint());
    if (firing) {
      getContext()
          .getLog()
          .info("Alert {} acknowledged; escalation stopped: {}", a.fingerprint(), stopped);
    }
    a.replyTo().tell(new Acknowledged(a.fingerprint(), firing, stopped));
    return this;
  }

  /** Sends the escalation levels due: an outbox row for the level's receiver, then the send. */
  /** Every ten seconds with something to say: what the journal reading did. */
  private void logJournalProgress() {
    long now = System.currentTimeMillis();
    if (journalRead == 0 || now - lastProgressLogMs < 10_000) {
      return;
    }
    lastProgressLogMs = now;
    getContext()
        .getLog()
        .info(
            "Journal: {} alert changes read back, {} done ({} not known here: {} sent again, {}"
                + " never decided before); {} changes remembered",
            journalRead,
            journalAnswered,
            journalLookedUp,
            journalResent,
            journalUndecided,
            changes.size());
    journalRead = 0;
    journalLookedUp = 0;
    journalResent = 0;
    journalUndecided = 0;
    journalAnswered = 0;
  }

  private long lastProgressLogMs;

  private Behavior<Command> onEscalationTick() {
    logJournalProgress();
    for (Escalations.Step step : escalations.due(System.currentTimeMillis())) {
      Route.Match level =
          new Route.Match(
              step.receiver(), List.of(), List.of(), 0, 0, 0, "escalation level " + step.level());
      getContext()
          .getLog()
          .warn(
              "Escalating (not acknowledged) to {} (level {}): {}",
              step.receiver(),
              step.level(),
              step.alert().summary());
      getContext()
          .pipeToSelf(
              store.decided(
                  keyOf(step.alert()),
                  List.of(step.receiver()),
                  step.alert().summary(),
                  Instant.now()),
              (ok, failure) -> new EscalationDecided(step, level, failure));
    }
    return this;
  }

  private Behavior<Command> onEscalationDecided(EscalationDecided e) {
    dispatcher.tell(new Dispatcher.Dispatch(e.step().alert(), e.match(), results));
    return this;
  }

  /** Why a change is not sent, or null when it is. */
  private String heldBack(Alert alert, Map<String, String> labels) {
    Silence silence = Silence.muting(silences, labels, Instant.now());
    if (silence != null) {
      return SILENCED + silence.id();
    }
    switch (gate.admit(alert)) {
      case SILENT:
        return "a further change of a flapping alert";
      case OVER_LIMIT:
        getContext()
            .getLog()
            .info(
                "Not notified (rule {} reached its notify_limit; on the feed only): {}",
                alert.ruleId(),
                alert.summary());
        return "rule " + alert.ruleId() + " reached its notify_limit";
      case NEVER_SENT:
        return "its firing was never sent";
      case SEND:
      default:
        break;
    }
    if (InhibitRule.OUTAGE_MUTES_IPS.inhibits(labels, firing.values())) {
      getContext()
          .getLog()
          .info(
              "Not notified (inhibited by an outage of service {}): {}",
              alert.service(),
              alert.summary());
      return INHIBITED + alert.service();
    }
    return null;
  }

  private Behavior<Command> onDecided(Decided d) {
    Change c = changes.get(d.key());
    if (c == null) {
      return this;
    }
    if (d.failure() != null) {
      // sent anyway: the journal reading sends it again if this node stops before it is done
      getContext()
          .getLog()
          .warn(
              "Outbox write failed for {} ({}); sending without it",
              c.alert.summary(),
              d.failure().toString());
    }
    if (d.matches().isEmpty()) {
      finish(c);
    } else {
      dispatch(d.key(), c, d.matches());
    }
    return this;
  }

  private void dispatch(String key, Change c, List<Route.Match> matches) {
    for (Route.Match m : matches) {
      if (grouped(m)) {
        toGroup(key, c.alert, m);
      } else {
        dispatcher.tell(new Dispatcher.Dispatch(c.alert, m, results));
      }
    }
    if (c.outstanding.isEmpty()) {
      finish(c);
    }
  }

  /** Whether {@code m} aggregates its alerts in groups (it names {@code group_by} labels). */
  static boolean grouped(Route.Match m) {
    return !m.groupBy().isEmpty() && !m.groupBy().contains(RouteCodec.EACH_ALERT);
  }

  /**
   * The group of {@code alert} on {@code m}: the values of the route's {@code group_by} labels
   * (those the alert has), and a key of the route and them.
   */
  AlertGroupEvent.Settings groupOf(Alert alert, Route.Match m) {
    Map<String, String> labels = Routing.labelsOf(alert);
    Map<String, String> values = new java.util.TreeMap<>();
    for (String name : m.groupBy()) {
      String v = labels.get(name);
      if (v != null) {
        values.put(name, v);
      }
    }
    java.util.StringJoiner key = new java.util.StringJoiner(", ", m.path() + ":{", "}");
    values.forEach((k, v) -> key.add(k + "=\"" + v + "\""));
    return new AlertGroupEvent.Settings(
        key.toString(),
        values,
        m.path(),
        m.receiver(),
        m.failover(),
        takesResolved(m.receiver()),
        m.groupWaitMs(),
        m.groupIntervalMs(),
        m.repeatIntervalMs());
  }

  /** Hands {@code alert} to its group on {@code m}; the receiver's row is done once it has it. */
  private void toGroup(String key, Alert alert, Route.Match m) {
    AlertGroupEvent.Settings group = groupOf(alert, m);
    getContext()
        .pipeToSelf(
            AlertGroupEntity.ref(getContext().getSystem(), group.groupKey())
                .<Done>ask(replyTo -> new AlertGroupEntity.Add(alert, group, replyTo), GROUP_ASK),
            (done, failure) -> new Grouped(key, m, group.groupKey(), failure));
  }

  private Behavior<Command> onGrouped(Grouped g) {
    if (g.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "Group {} did not take {} ({}); trying again",
              g.groupKey(),
              g.key(),
              g.failure().toString());
      getContext()
          .scheduleOnce(GROUP_RETRY, getContext().getSelf(), new Regroup(g.key(), g.match()));
      return this;
    }
    markDone(g.key(), g.match().receiver(), "grouped into " + g.groupKey());
    return this;
  }

  private Behavior<Command> onDispatched(Dispatched d) {
    Dispatcher.Dispatched r = d.result();
    String outcome;
    if (r.deliveredBy() == null) {
      getContext()
          .getLog()
          .error("Alert {} reached no receiver: {}", r.notification().fingerprint(), r.path());
      outcome = "failed: " + String.join("; ", r.path());
    } else {
      outcome = "delivered by " + r.deliveredBy();
    }
    markDone(r.notification().key(), r.receiver(), outcome);
    return this;
  }

  private void markDone(String key, String receiver, String outcome) {
    getContext()
        .pipeToSelf(
            store.done(key, receiver, outcome, Instant.now()),
            (ok, failure) -> new MarkedDone(key, receiver, failure));
  }

  private Behavior<Command> onMarkedDone(MarkedDone m) {
    Change c = changes.get(m.key());
    if (c == null) {
      return this;
    }
    if (m.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "Could not mark {} done for {} in the outbox ({}): it may be sent again after a"
                  + " restart, with the same key",
              c.alert.summary(),
              m.receiver(),
              m.failure().toString());
    }
    if (c.outstanding.remove(m.receiver()) && c.outstanding.isEmpty()) {
      finish(c);
    }
    return this;
  }

  private void finish(Change c) {
    c.done = true;
    journalAnswered += c.waiters.size();
    c.waiters.forEach(w -> w.tell(StatusReply.ack()));
    c.waiters.clear();
  }

  /** Remembers a change, forgetting the oldest done ones past {@link #MAX_REMEMBERED}. */
  private Change remember(String key, Alert alert) {
    Change c = new Change(alert);
    changes.put(key, c);
    if (changes.size() > MAX_REMEMBERED) {
      var it = changes.values().iterator();
      int scanned = 0; // the oldest are done unless receivers are down: a short look
      while (changes.size() > MAX_REMEMBERED && it.hasNext() && scanned++ < 1_000) {
        if (it.next().done) {
          it.remove();
        }
      }
    }
    return c;
  }
}
