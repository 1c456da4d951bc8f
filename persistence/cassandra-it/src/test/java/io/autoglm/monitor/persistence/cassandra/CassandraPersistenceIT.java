package io.autoglm.monitor.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

class CassandraPersistenceIT {

  /** The first write opens the plugin's session and prepares its statements: give it room. */
  private static final Duration PERSIST_TIMEOUT = Duration.ofSeconds(30);

  private static final Config SLF4J_LOGGING =
      ConfigFactory.parseString(
          """
          pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
          pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
          """);

  @Test
  void eventsPersistedByOneActorSystemAreRecoveredByTheNext() throws Exception {
    Config config = SLF4J_LOGGING.withFallback(TestCassandra.shared().testConfig());
    String counterId = "counter-1";

    ActorTestKit writer = ActorTestKit.create("CassandraPersistenceWriter", config);
    try {
      ActorRef<TestCounter.Command> counter = writer.spawn(TestCounter.create(counterId));
      TestProbe<TestCounter.State> replies = writer.createTestProbe();

      counter.tell(new TestCounter.Add(2, replies.ref()));
      replies.expectMessage(PERSIST_TIMEOUT, new TestCounter.State(2, 1));
      counter.tell(new TestCounter.Add(3, replies.ref()));
      replies.expectMessage(PERSIST_TIMEOUT, new TestCounter.State(5, 2));
      counter.tell(new TestCounter.Add(5, replies.ref()));
      replies.expectMessage(PERSIST_TIMEOUT, new TestCounter.State(10, 3));

      String snapshots =
          config.getString("pekko.persistence.cassandra.snapshot.keyspace") + ".snapshots";
      replies.awaitAssert(
          PERSIST_TIMEOUT,
          () -> {
            long count =
                TestCassandra.shared()
                    .session()
                    .execute(
                        "SELECT sequence_nr FROM " + snapshots + " WHERE persistence_id = ?",
                        TestCounter.ENTITY_TYPE + "|" + counterId)
                    .all()
                    .size();
            assertEquals(1, count, "snapshot after the second event");
            return null;
          });
    } finally {
      writer.shutdownTestKit();
    }

    ActorTestKit reader = ActorTestKit.create("CassandraPersistenceReader", config);
    try {
      ActorRef<TestCounter.Command> counter = reader.spawn(TestCounter.create(counterId));
      TestProbe<TestCounter.State> replies = reader.createTestProbe();

      counter.tell(new TestCounter.Get(replies.ref()));
      replies.expectMessage(PERSIST_TIMEOUT, new TestCounter.State(10, 3));

      CassandraReadJournal journal =
          PersistenceQuery.get(Adapter.toClassic(reader.system()))
              .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
      List<String> ids =
          journal
              .currentPersistenceIds()
              .runWith(Sink.seq(), reader.system())
              .toCompletableFuture()
              .get(PERSIST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(List.of(TestCounter.ENTITY_TYPE + "|" + counterId), ids);
    } finally {
      reader.shutdownTestKit();
    }
  }
}
