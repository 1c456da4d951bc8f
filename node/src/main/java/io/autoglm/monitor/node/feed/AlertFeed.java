package io.autoglm.monitor.node.feed;

import io.autoglm.monitor.notifier.outbox.AlertJournal;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * This node's view of the cluster's alerts: subscribes to the alert topic, keeps the most recent
 * ones for {@code GET /api/v1/alerts}, and hands each to every live WebSocket client ({@link
 * FeedConnection}) with the {@link FeedCursor} that resumes after it.
 *
 * <p>Alerts reach clients from pub-sub, at once. The cursor is a journal position: this actor also
 * reads the alert changes back from the journal by tag, about two seconds later, only to know how
 * far the journal is (it delivers nothing from there: the feed stays live, as before). A change
 * delivered but not read back yet is "pending" and named in the cursor by its key, so a resume
 * neither repeats it nor misses what came after it.
 */
public final class AlertFeed extends AbstractBehavior<AlertFeed.Command> {

  public sealed interface Command {}

  public record GetRecent(ActorRef<List<Alert>> replyTo) implements Command {}

  /** Adds a client: every alert from now on is offered to {@code queue}; answers where it is. */
  public record Subscribe(BoundedSourceQueue<Delivered> queue, ActorRef<Snapshot> replyTo)
      implements Command {}

  public record Unsubscribe(BoundedSourceQueue<Delivered> queue) implements Command {}

  private record Received(Alert alert) implements Command {}

  private record Journaled(Alert alert, UUID offset) implements Command {}

  /** The alerts changed before this node started ({@link AlertHistory}), oldest first. */
  private record Seeded(List<Alert> alerts, Throwable failure) implements Command {}

  /** An alert as delivered to the clients, with the cursor just after it. */
  public record Delivered(Alert alert, long key, FeedCursor cursor) {}

  /**
   * Where the feed was when a client subscribed: its cursor, and the pending changes (delivered
   * before, not in the journal's reading yet), which a resuming client may lack.
   */
  public record Snapshot(FeedCursor cursor, List<Delivered> pending) {}

  /**
   * The feed, and what its connections need.
   *
   * @param buffer alerts a client may be behind before it loses the oldest
   */
  public record Live(ActorRef<Command> feed, FeedSettings settings, int buffer) {}

  /** Keys of changes read from the journal, remembered so a late pub-sub copy is not pending. */
  private static final int JOURNALED_REMEMBERED = 4_096;

  private final int keep;
  private final Deque<Alert> recent = new ArrayDeque<>();
  private final Set<BoundedSourceQueue<Delivered>> clients = new HashSet<>();
  private final LinkedHashMap<Long, Alert> pending = new LinkedHashMap<>();
  private final LinkedHashSet<Long> journaled = new LinkedHashSet<>();
  private UUID position;

  /**
   * Spawns the feed under {@code ctx}, with its journal reading; its recent alerts start with
   * {@code history} (the alerts changed before the node started).
   */
  public static Live spawn(
      ActorContext<?> ctx,
      ActorRef<Topic.Command<Alert>> topic,
      int keep,
      int buffer,
      CompletionStage<List<Alert>> history) {
    ActorSystem<?> system = ctx.getSystem();
    FeedSettings settings = FeedSettings.fromConfig(system.settings().config());
    UUID start = AlertJournal.offsetAt(system, System.currentTimeMillis());
    ActorRef<Command> feed = ctx.spawn(create(topic, keep, start, history), "alert-feed");
    readJournal(system, feed, start);
    return new Live(feed, settings, buffer);
  }

  /** Reads the alert changes after {@code start}, on and on, restarting from the last one read. */
  private static void readJournal(ActorSystem<?> system, ActorRef<Command> feed, UUID start) {
    AtomicReference<UUID> read = new AtomicReference<>(start);
    RestartSource.withBackoff(
            RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2),
            () ->
                AlertJournal.after(system, Optional.of(read.get()))
                    .map(
                        e -> {
                          read.set(e.offset());
                          return new Journaled(e.alert(), e.offset());
                        }))
        .runWith(Sink.foreach(feed::tell), system);
  }

  private static Behavior<Command> create(
      ActorRef<Topic.Command<Alert>> topic,
      int keep,
      UUID start,
      CompletionStage<List<Alert>> history) {
    return Behaviors.setup(
        ctx -> {
          topic.tell(Topic.subscribe(ctx.messageAdapter(Alert.class, Received::new)));
          ctx.pipeToSelf(history, Seeded::new);
          return new AlertFeed(ctx, keep, start);
        });
  }

  private AlertFeed(ActorContext<Command> ctx, int keep, UUID start) {
    super(ctx);
    this.keep = keep;
    this.position = start;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Received.class, this::onReceived)
        .onMessage(Journaled.class, this::onJournaled)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, u -> unsubscribe(u.queue()))
        .onMessage(GetRecent.class, this::onGetRecent)
        .onMessage(Seeded.class, this::onSeeded)
        .build();
  }

  /** The alerts from before the start go after the live ones, unless a live change is newer. */
  private Behavior<Command> onSeeded(Seeded s) {
    if (s.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "Could not read the alerts changed before this node started: GET /api/v1/alerts"
                  + " lists only those that change from now on ({})",
              s.failure().toString());
      return this;
    }
    Set<String> live = new HashSet<>();
    recent.forEach(a -> live.add(a.fingerprint()));
    List<Alert> before = new ArrayList<>(s.alerts());
    java.util.Collections.reverse(before); // newest first, as recent is
    for (Alert a : before) {
      if (recent.size() >= keep) {
        break;
      }
      if (!live.contains(a.fingerprint())) {
        recent.addLast(a);
      }
    }
    if (!s.alerts().isEmpty()) {
      getContext()
          .getLog()
          .info(
              "{} alerts known from before this node started (the latest change of each)",
              s.alerts().size());
    }
    return this;
  }

  private Behavior<Command> onReceived(Received r) {
    Alert alert = r.alert();
    recent.addFirst(alert);
    while (recent.size() > keep) {
      recent.removeLast();
    }
    long key = FeedCursor.keyOf(alert);
    if (!journaled.contains(key)) {
      pending.put(key, alert);
      while (pending.size() > FeedCursor.MAX_PENDING) {
        pending.remove(pending.keySet().iterator().next());
      }
    }
    Delivered d = new Delivered(alert, key, cursor());
    for (BoundedSourceQueue<Delivered> q : List.copyOf(clients)) {
      QueueOfferResult result = q.offer(d);
      if (result instanceof QueueOfferResult.QueueClosed$
          || result instanceof QueueOfferResult.Failure) {
        clients.remove(q);
      }
      // Dropped: a client that is that far behind loses this alert, as the feed always did
    }
    return this;
  }

  private Behavior<Command> onJournaled(Journaled j) {
    if (FeedCursor.JOURNAL_ORDER.compare(j.offset(), position) > 0) {
      position = j.offset();
    }
    long key = FeedCursor.keyOf(j.alert());
    pending.remove(key);
    journaled.add(key);
    if (journaled.size() > JOURNALED_REMEMBERED) {
      journaled.remove(journaled.iterator().next());
    }
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe s) {
    clients.add(s.queue());
    FeedCursor now = cursor();
    List<Delivered> before = new ArrayList<>();
    pending.forEach((key, alert) -> before.add(new Delivered(alert, key, now)));
    s.replyTo().tell(new Snapshot(now, before));
    return this;
  }

  private Behavior<Command> unsubscribe(BoundedSourceQueue<Delivered> queue) {
    clients.remove(queue);
    return this;
  }

  private FeedCursor cursor() {
    return new FeedCursor(position, List.copyOf(pending.keySet()));
  }

  private Behavior<Command> onGetRecent(GetRecent g) {
    g.replyTo().tell(List.copyOf(new ArrayList<>(recent)));
    return this;
  }
}
