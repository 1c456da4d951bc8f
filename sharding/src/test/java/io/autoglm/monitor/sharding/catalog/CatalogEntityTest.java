package io.autoglm.monitor.sharding.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.event.CatalogEvent;
import io.autoglm.monitor.persistence.event.CatalogEvent.NamesAdmitted;
import io.autoglm.monitor.sharding.RestartBackoff;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CatalogEntityTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<CatalogEntity.Command, CatalogEvent, CatalogState> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            CatalogEntity.create(
                CatalogEntity.endpointsOf("edge"),
                3,
                new RestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0)));
  }

  private CatalogEntity.Admission admit(String... names) {
    return kit.<CatalogEntity.Admission>runCommand(
            replyTo -> new CatalogEntity.Admit(List.of(names), replyTo))
        .reply();
  }

  @Test
  void admitsUpToItsLimitThenIsFullAndAdmitsNothingMore() {
    var first =
        kit.<CatalogEntity.Admission>runCommand(
            replyTo -> new CatalogEntity.Admit(List.of("/a", "/b", "/a"), replyTo));
    assertEquals(new CatalogEntity.Admission(Set.of("/a", "/b"), false), first.reply());
    assertEquals(List.of(new NamesAdmitted("endpoints:edge", List.of("/a", "/b"))), first.events());

    assertEquals(new CatalogEntity.Admission(Set.of("/b", "/c"), true), admit("/b", "/c", "/d"));
    assertEquals(new CatalogEntity.Admission(Set.of("/a"), true), admit("/e", "/a"));

    var again =
        kit.<CatalogEntity.Admission>runCommand(
            replyTo -> new CatalogEntity.Admit(List.of("/f"), replyTo));
    assertTrue(again.events().isEmpty(), "a full catalog writes nothing");
    assertFalse(again.reply().admitted().contains("/f"));
  }

  @Test
  void namesAreKeptAcrossARestart() {
    admit("/a", "/b", "/c", "/d");
    kit.restart();
    CatalogEntity.Listing listing =
        kit.<CatalogEntity.Listing>runCommand(CatalogEntity.Get::new).reply();
    assertEquals(new CatalogEntity.Listing(Set.of("/a", "/b", "/c"), 3), listing);
    assertTrue(listing.full());
  }
}
