package io.autoglm.monitor.notifier.outbox;

import io.autoglm.monitor.persistence.event.AlertEvents;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The alert changes of the journal, in order, as the Cassandra plugin's events-by-tag query reads
 * them ({@link AlertEvents#TAG}), from an offset the notifier keeps in its own table ({@code
 * notifier_offset}). This is the plugin's {@code eventsByTag}, not pekko-projection (which the
 * package registry here does not serve): the offset handling a projection would do is the
 * notifier's, a few lines.
 */
public final class AlertJournal {
  private AlertJournal() {}

  /** An alert change read from the journal, with its offset. */
  public record Entry(Alert alert, UUID offset) {}

  /** How far back a reader with no saved offset starts: its first start. */
  public static final Duration FIRST_START_LOOKBACK = Duration.ofMinutes(1);

  /**
   * The alert changes after {@code offset}; with none, from {@link #FIRST_START_LOOKBACK} ago. Runs
   * until cancelled; fails when the query does (a gap it cannot fill, Cassandra gone too long): the
   * caller restarts it from its saved offset.
   */
  public static Source<Entry, NotUsed> after(ActorSystem<?> system, Optional<UUID> offset) {
    CassandraReadJournal journal = journal(system);
    Offset from =
        offset
            .<Offset>map(TimeBasedUUID::new)
            .orElseGet(
                () ->
                    journal.timeBasedUUIDFrom(
                        System.currentTimeMillis() - FIRST_START_LOOKBACK.toMillis()));
    return journal
        .eventsByTag(AlertEvents.TAG, from)
        .map(e -> new Entry(AlertEvents.alertOf(e.event()), ((TimeBasedUUID) e.offset()).value()))
        .filter(e -> e.alert() != null);
  }

  /**
   * How far back from now a saved offset may be at most. Offsets are time-based, and an event is in
   * the tag table only once its (possibly slow) write there is done: a reading that starts from the
   * offset of an event it handled could miss an event with an earlier offset whose write was still
   * under way, which the running reading would have found by looking back (the plugin's
   * back-tracking) but a new one never does. So the offset saved is at most this far back from now,
   * and a notifier that takes over reads the last minute again; what the outbox says is done is not
   * sent again.
   */
  public static final Duration REREAD = Duration.ofMinutes(1);

  /** The offset to save once {@code handled} is done: it, or {@link #REREAD} ago if earlier. */
  public static UUID offsetToSave(ActorSystem<?> system, UUID handled, long nowMs) {
    long rereadFrom = nowMs - REREAD.toMillis();
    if (epochMillisOf(handled) <= rereadFrom) {
      return handled;
    }
    CassandraReadJournal journal = journal(system);
    return ((TimeBasedUUID) journal.timeBasedUUIDFrom(rereadFrom)).value();
  }

  /**
   * The alert changes after {@code offset} that the journal holds now (up to the plugin's
   * eventual-consistency delay ago), then completes: a catch-up, such as the feed's resume.
   */
  public static Source<Entry, NotUsed> currentAfter(ActorSystem<?> system, UUID offset) {
    return journal(system)
        .currentEventsByTag(AlertEvents.TAG, new TimeBasedUUID(offset))
        .map(e -> new Entry(AlertEvents.alertOf(e.event()), ((TimeBasedUUID) e.offset()).value()))
        .filter(e -> e.alert() != null);
  }

  /** The smallest offset at {@code epochMillis}: a reading from it gets what came after. */
  public static UUID offsetAt(ActorSystem<?> system, long epochMillis) {
    return ((TimeBasedUUID) journal(system).timeBasedUUIDFrom(epochMillis)).value();
  }

  /** The time (epoch ms) of a time-based (version 1) UUID. */
  public static long epochMillisOf(UUID timeBased) {
    // 100 ns intervals since 1582-10-15, the Gregorian calendar's start
    return (timeBased.timestamp() - 0x01b21dd213814000L) / 10_000;
  }

  private static CassandraReadJournal journal(ActorSystem<?> system) {
    return PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
  }

  /** {@link #after} from the offset {@code saved} reads when the source starts. */
  public static Source<Entry, NotUsed> afterSaved(
      ActorSystem<?> system, Supplier<CompletionStage<Optional<UUID>>> saved) {
    return Source.completionStageSource(saved.get().thenApply(o -> after(system, o)))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }
}
