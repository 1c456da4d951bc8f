package io.autoglm.monitor.notifier.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class AlertJournalTest {
  @Test
  void readsTheTimeOfATimeBasedUuid() {
    // a version 1 UUID made by Cassandra's now() at 2026-12-03T06:00:00.123Z
    long ms = 1_796_277_600_123L;
    long ticks = ms * 10_000 + 0x01b21dd213814000L;
    long msb =
        (ticks << 32) | ((ticks >>> 16) & 0xFFFF0000L) | 0x1000L | ((ticks >>> 48) & 0x0FFFL);
    UUID uuid = new UUID(msb, 0x8000000000000000L);
    assertEquals(1, uuid.version());
    assertEquals(ms, AlertJournal.epochMillisOf(uuid));
  }
}
