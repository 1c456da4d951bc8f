package io.autoglm.monitor.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailedTokenChecksTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final FailedTokenChecks checks =
      new FailedTokenChecks(3, Duration.ofSeconds(60), now::get);

  @Test
  void anAddressIsRefusedAfterMaxFailuresUntilItsWindowEnds() throws Exception {
    InetAddress guesser = InetAddress.getByName("192.0.2.7");
    for (int i = 0; i < 3; i++) {
      assertTrue(checks.refusedFor(guesser).isEmpty(), "after " + i + " failures");
      checks.failed(guesser);
    }
    assertEquals(OptionalLong.of(60), checks.refusedFor(guesser));
    advance(Duration.ofMillis(59_500));
    assertEquals(OptionalLong.of(1), checks.refusedFor(guesser), "rounded up");
    advance(Duration.ofMillis(500));
    assertTrue(checks.refusedFor(guesser).isEmpty(), "the window started at the first failure");
    checks.failed(guesser);
    assertTrue(checks.refusedFor(guesser).isEmpty(), "a new window counts from one");
  }

  @Test
  void addressesAreCountedApart() throws Exception {
    InetAddress a = InetAddress.getByName("2001:db8::1");
    InetAddress b = InetAddress.getByName("2001:db8::2");
    for (int i = 0; i < 3; i++) {
      checks.failed(a);
    }
    checks.failed(b);
    assertTrue(checks.refusedFor(a).isPresent());
    assertTrue(checks.refusedFor(b).isEmpty());
  }

  @Test
  void maxZeroNeverRefuses() throws Exception {
    FailedTokenChecks off = new FailedTokenChecks(0, Duration.ofSeconds(60), now::get);
    InetAddress a = InetAddress.getByName("192.0.2.8");
    for (int i = 0; i < 1000; i++) {
      off.failed(a);
    }
    assertTrue(off.refusedFor(a).isEmpty());
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }
}
