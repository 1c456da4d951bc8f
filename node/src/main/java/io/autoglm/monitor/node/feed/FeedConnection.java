package io.autoglm.monitor.node.feed;

import io.autoglm.monitor.notifier.outbox.AlertJournal;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One feed client's stream: the alerts of {@link AlertFeed} that pass its {@link FeedQuery}, and
 * when it resumes ({@code ?after=}), first what it missed, read from the journal.
 *
 * <p>The seam: the connection subscribes to the live alerts first and holds them, then reads the
 * journal from the client's cursor up to now ({@link AlertJournal#currentAfter}), sends what the
 * client lacks, then the changes the feed had delivered but not yet read back at the moment of
 * subscribing (the {@link AlertFeed.Snapshot}), then a {@code caught-up} event, then the held live
 * alerts and the live ones. A change is sent once: the catch-up skips what the cursor says the
 * client has (journal offset at or before it, or a pending key of it), and the live part skips what
 * the catch-up sent. The catch-up sends at most {@link FeedSettings#resumeMaxAlerts()}; past them a
 * {@code gap} event says so and the live part follows.
 */
public final class FeedConnection {
  private FeedConnection() {}

  /** What a feed connection sends, in order. */
  public sealed interface Event {}

  /** First: where the client is ({@code ?after=} of a reconnection resumes from there). */
  public record Hello(FeedCursor cursor) implements Event {}

  /** One alert; {@code replayed} when it comes from the catch-up. */
  public record AlertEvent(Alert alert, FeedCursor cursor, boolean replayed) implements Event {}

  /** A resume's catch-up is over: {@code replayed} alerts were sent; live alerts follow. */
  public record CaughtUp(FeedCursor cursor, int replayed) implements Event {}

  /** Alerts were missed and will not be sent: why. */
  public record Gap(String message) implements Event {}

  /** The events of one connection of {@code query}. */
  public static Source<Event, NotUsed> source(
      ActorSystem<?> system, AlertFeed.Live feed, FeedQuery query, Duration timeout) {
    return Source.<Event, NotUsed>fromMaterializer(
            (mat, attributes) -> {
              Pair<BoundedSourceQueue<AlertFeed.Delivered>, Source<AlertFeed.Delivered, NotUsed>>
                  queue = Source.<AlertFeed.Delivered>queue(feed.buffer()).preMaterialize(mat);
              BoundedSourceQueue<AlertFeed.Delivered> q = queue.first();
              Source<AlertFeed.Delivered, NotUsed> live =
                  queue
                      .second()
                      // a slow client loses its oldest alerts rather than slowing the feed
                      .buffer(feed.buffer(), OverflowStrategy.dropHead());
              return Source.completionStageSource(
                      AskPattern.<AlertFeed.Command, AlertFeed.Snapshot>ask(
                              feed.feed(),
                              replyTo -> new AlertFeed.Subscribe(q, replyTo),
                              timeout,
                              system.scheduler())
                          .thenApply(
                              snapshot ->
                                  query.after().isEmpty()
                                      ? liveOnly(snapshot, live, query)
                                      : resumed(system, feed, snapshot, live, query)))
                  .watchTermination(
                      (nu, done) -> {
                        done.whenComplete(
                            (d, failure) -> {
                              q.complete();
                              feed.feed().tell(new AlertFeed.Unsubscribe(q));
                            });
                        return NotUsed.getInstance();
                      });
            })
        .mapMaterializedValue(f -> NotUsed.getInstance());
  }

  private static Source<Event, NotUsed> liveOnly(
      AlertFeed.Snapshot snapshot, Source<AlertFeed.Delivered, NotUsed> live, FeedQuery query) {
    return Source.<Event>single(new Hello(snapshot.cursor()))
        .concat(
            live.filter(d -> query.matches(d.alert()))
                .map(d -> new AlertEvent(d.alert(), d.cursor(), false)));
  }

  /** One step of a resumed connection: from the journal, or live. */
  private sealed interface Step {}

  private record FromJournal(AlertJournal.Entry entry) implements Step {}

  private record JournalRead() implements Step {}

  private record JournalFailed(Throwable cause) implements Step {}

  private record FromLive(AlertFeed.Delivered delivered) implements Step {}

  private static Source<Event, NotUsed> resumed(
      ActorSystem<?> system,
      AlertFeed.Live feed,
      AlertFeed.Snapshot snapshot,
      Source<AlertFeed.Delivered, NotUsed> live,
      FeedQuery query) {
    FeedCursor client = query.after().orElseThrow();
    Seam seam = new Seam(client, snapshot, query, feed.settings().resumeMaxAlerts(), feed.buffer());
    UUID from =
        FeedCursor.JOURNAL_ORDER.compare(client.journalOffset(), snapshot.cursor().journalOffset())
                <= 0
            ? client.journalOffset()
            : snapshot.cursor().journalOffset();
    Source<Step, NotUsed> journal =
        AlertJournal.currentAfter(system, from)
            .<Step>map(FromJournal::new)
            .concat(Source.single(new JournalRead()))
            .recover(
                new PFBuilder<Throwable, Step>().match(Throwable.class, JournalFailed::new).build())
            // once the seam is live (a gap cut the catch-up short), stop reading
            .takeWhile(step -> !seam.isLive());
    return Source.<Event>single(new Hello(client))
        .concat(journal.merge(live.map(FromLive::new)).mapConcat(seam::on));
  }

  /** The state of one resumed connection's seam; its steps come one at a time (one stream). */
  static final class Seam {
    private final FeedCursor client;
    private final AlertFeed.Snapshot snapshot;
    private final FeedQuery query;
    private final int maxReplay;
    private final int buffer;

    /** Changes the client has or was sent: never sent (again). */
    private final Set<Long> sent = new HashSet<>();

    /** Live alerts held while catching up. */
    private final Deque<AlertFeed.Delivered> held = new ArrayDeque<>();

    private volatile boolean live;
    private int replayed;
    private UUID readTo;

    Seam(
        FeedCursor client,
        AlertFeed.Snapshot snapshot,
        FeedQuery query,
        int maxReplay,
        int buffer) {
      this.client = client;
      this.snapshot = snapshot;
      this.query = query;
      this.maxReplay = maxReplay;
      this.buffer = buffer;
      this.sent.addAll(client.pending());
      this.readTo = client.journalOffset();
    }

    boolean isLive() {
      return live;
    }

    List<Event> on(Step step) {
      if (step instanceof FromJournal j) {
        return fromJournal(j.entry());
      }
      if (step instanceof FromLive l) {
        return fromLive(l.delivered());
      }
      if (step instanceof JournalFailed f && !live) {
        return goLive(
            new Gap(
                "the journal could not be read ("
                    + f.cause().getMessage()
                    + "): alerts missed while away may be absent; GET /api/v1/alerts"
                    + " lists the recent ones"));
      }
      return step instanceof JournalRead ? caughtUp(new ArrayList<>(), true) : List.of();
    }

    private List<Event> fromJournal(AlertJournal.Entry e) {
      if (live) {
        return List.of();
      }
      long key = FeedCursor.keyOf(e.alert());
      if (FeedCursor.JOURNAL_ORDER.compare(e.offset(), client.journalOffset()) <= 0) {
        sent.add(key); // the client had it
        return List.of();
      }
      readTo = e.offset();
      if (!sent.add(key) || !query.matches(e.alert())) {
        return List.of();
      }
      if (replayed == maxReplay) {
        return goLive(tooMany());
      }
      replayed++;
      return List.of(new AlertEvent(e.alert(), new FeedCursor(e.offset(), client.pending()), true));
    }

    /**
     * The journal is read up to now (or the catch-up is cut short): the pending changes of the
     * snapshot (unless cut short), then live.
     */
    private List<Event> caughtUp(List<Event> out, boolean withPending) {
      if (live) {
        return List.of();
      }
      FeedCursor now = cursorNow();
      if (withPending) {
        for (AlertFeed.Delivered d : snapshot.pending()) {
          if (sent.add(d.key()) && query.matches(d.alert())) {
            if (replayed == maxReplay) {
              out.add(tooMany());
              break;
            }
            replayed++;
            out.add(new AlertEvent(d.alert(), now, true));
          }
        }
      }
      out.add(new CaughtUp(now, replayed));
      live = true;
      for (AlertFeed.Delivered d : held) {
        out.addAll(fromLive(d));
      }
      held.clear();
      return out;
    }

    private Gap tooMany() {
      return new Gap(
          "more than "
              + maxReplay
              + " alerts were missed; the rest of them are not replayed"
              + " (autoglm.http.feed.resume-max-alerts); GET /api/v1/alerts lists the"
              + " recent ones");
    }

    private List<Event> goLive(Gap gap) {
      List<Event> out = new ArrayList<>();
      out.add(gap);
      return caughtUp(out, false);
    }

    /**
     * Where the client is once caught up: the journal read at least as far as the snapshot's, the
     * client's and the catch-up's position, and the pending changes of both (now sent or had).
     */
    private FeedCursor cursorNow() {
      UUID at = readTo;
      if (FeedCursor.JOURNAL_ORDER.compare(snapshot.cursor().journalOffset(), at) > 0) {
        at = snapshot.cursor().journalOffset();
      }
      Set<Long> pending = new LinkedHashSet<>(snapshot.cursor().pending());
      for (Long k : client.pending()) {
        if (pending.size() < FeedCursor.MAX_PENDING) {
          pending.add(k);
        }
      }
      return new FeedCursor(at, List.copyOf(pending));
    }

    private List<Event> fromLive(AlertFeed.Delivered d) {
      if (!live) {
        held.addLast(d);
        if (held.size() > buffer) {
          held.removeFirst();
        }
        return List.of();
      }
      if (sent.contains(d.key()) || !query.matches(d.alert())) {
        return List.of();
      }
      return List.of(new AlertEvent(d.alert(), d.cursor(), false));
    }
  }
}
