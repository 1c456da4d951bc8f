package io.autoglm.monitor.tools.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.autoglm.monitor.tools.drill.JournalWriters.Span;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalWritersTest {

  @Test
  void anEntityThatMovedInTurnIsNoOverlap() {
    var r =
        JournalWriters.summarize(
            Map.of(
                "e1", Map.of("a", new Span("a", 100, 200, 5), "b", new Span("b", 201, 900, 7)),
                "e2", Map.of("a", new Span("a", 100, 900, 9))),
            21);
    assertEquals(2, r.entities());
    assertEquals(1, r.moved());
    assertEquals(0, r.overlaps().size());
  }

  @Test
  void twoWritersAtOnceAreFound() {
    var r =
        JournalWriters.summarize(
            Map.of(
                "e1",
                Map.of(
                    "a", new Span("a", 100, 500, 5),
                    "b", new Span("b", 300, 900, 7),
                    "c", new Span("c", 950, 990, 2))),
            14);
    assertEquals(1, r.moved());
    assertEquals(1, r.overlaps().size());
    assertEquals("e1", r.overlaps().get(0).persistenceId());
  }
}
