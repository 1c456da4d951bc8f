package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;

/**
 * An in-memory journal whose every write takes {@code delay}: a slow Cassandra, for backpressure
 * tests. With {@code only-ids-containing} set, only the writes of persistence ids containing that
 * text are slow, and with {@code failing-writes = N} the first N of those fail instead (a Cassandra
 * write timing out for one endpoint among healthy ones).
 */
public final class SlowJournal extends AsyncWriteJournal {
  private final Map<String, TreeMap<Long, PersistentRepr>> store = new ConcurrentHashMap<>();
  private final Duration delay;
  private final String onlyIdsContaining;
  private final AtomicInteger failuresLeft;

  public SlowJournal(Config config) {
    this.delay = config.getDuration("delay");
    this.onlyIdsContaining =
        config.hasPath("only-ids-containing") ? config.getString("only-ids-containing") : "";
    this.failuresLeft =
        new AtomicInteger(config.hasPath("failing-writes") ? config.getInt("failing-writes") : 0);
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(
      Iterable<AtomicWrite> messages) {
    boolean slow = false;
    for (AtomicWrite write : messages) {
      slow |= write.persistenceId().contains(onlyIdsContaining);
    }
    if (slow && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return Futures.failed(new java.io.IOException("write timed out (test journal)"));
    }
    long delayMs = slow ? delay.toMillis() : 0;
    return Patterns.after(
        FiniteDuration.create(delayMs, TimeUnit.MILLISECONDS),
        context().system().scheduler(),
        context().dispatcher(),
        () -> {
          List<Optional<Exception>> results = new ArrayList<>();
          for (AtomicWrite write : messages) {
            scala.jdk.javaapi.CollectionConverters.asJava(write.payload())
                .forEach(
                    repr ->
                        store
                            .computeIfAbsent(repr.persistenceId(), id -> new TreeMap<>())
                            .put(repr.sequenceNr(), repr));
            results.add(Optional.empty());
          }
          return Futures.successful((Iterable<Optional<Exception>>) results);
        });
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    TreeMap<Long, PersistentRepr> events = store.get(persistenceId);
    if (events != null) {
      synchronized (events) {
        events.headMap(toSequenceNr, true).clear();
      }
    }
    return Futures.successful(null);
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long from, long to, long max, Consumer<PersistentRepr> replay) {
    TreeMap<Long, PersistentRepr> events = store.getOrDefault(persistenceId, new TreeMap<>());
    long n = 0;
    for (PersistentRepr repr : events.subMap(from, true, to, true).values()) {
      if (n++ >= max) {
        break;
      }
      replay.accept(repr);
    }
    return Futures.successful(null);
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long from) {
    TreeMap<Long, PersistentRepr> events = store.get(persistenceId);
    return Futures.successful(events == null || events.isEmpty() ? 0L : events.lastKey());
  }
}
