package io.autoglm.monitor.sharding.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.autoglm.monitor.sharding.detect.ServiceBreaches.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceBreachesTest {
  private static final long T = 1_767_225_600_000L;

  @Test
  void anotherEndpointsBreachWithinTheSlackConfirms() {
    ServiceBreaches b = ServiceBreaches.local();
    b.report("svc", "slow", "/a", T, true);
    b.report("svc", "slow", "/a", T + 5_000, true);
    assertEquals("/a", b.otherBreaching("svc", "slow", "/b", T + 20_000, 15_000));
    assertNull(b.otherBreaching("svc", "slow", "/b", T + 20_001, 15_000), "too long after");
    assertNull(b.otherBreaching("svc", "slow", "/b", T - 15_001, 15_000), "too long before");
    assertNull(b.otherBreaching("svc", "slow", "/a", T, 15_000), "not itself");
    assertNull(b.otherBreaching("svc", "other-rule", "/b", T, 15_000), "not another rule's");
    assertNull(b.otherBreaching("other-svc", "slow", "/b", T, 15_000), "not another service's");
    b.report("svc", "slow", "/c", T, true);
    assertEquals("/a", b.otherBreaching("svc", "slow", "/b", T, 15_000), "the first by name");
    assertEquals("/c", b.otherBreaching("svc", "slow", "/a", T, 15_000));
  }

  @Test
  void spansArePublishedWhenTheyStartAndEveryTenSecondsTheyGrow() {
    List<Span> published = new ArrayList<>();
    ServiceBreaches b = new ServiceBreaches(published::add);
    for (long s = 0; s <= 25; s++) {
      b.report("svc", "slow", "/a", T + s * 1000, true);
    }
    b.report("svc", "slow", "/a", T + 26_000, false);
    // a new span a while after the last breach
    b.report("svc", "slow", "/a", T + 200_000, true);
    assertEquals(
        List.of(
            new Span("svc", "slow", "/a", T, T),
            new Span("svc", "slow", "/a", T, T + 10_000),
            new Span("svc", "slow", "/a", T, T + 20_000),
            new Span("svc", "slow", "/a", T + 200_000, T + 200_000)),
        published);
  }

  @Test
  void anotherNodesSpansConfirmUntilTheyAgeOut() {
    ServiceBreaches b = ServiceBreaches.local();
    b.apply(new Span("svc", "slow", "/remote", T, T + 10_000));
    b.apply(new Span("svc", "slow", "/remote", T, T + 5_000)); // late and older: kept the newer
    assertEquals("/remote", b.otherBreaching("svc", "slow", "/local", T + 25_000, 15_000));
    // a node that died publishes no more: its span no longer confirms once past the slack
    assertNull(b.otherBreaching("svc", "slow", "/local", T + 25_001, 15_000));
  }

  @Test
  void oldSpansAreDropped() {
    ServiceBreaches b = ServiceBreaches.local();
    b.report("svc", "slow", "/a", T, true);
    b.report("svc", "slow", "/b", T + ServiceBreaches.KEEP_MS + 1, false);
    assertNull(b.otherBreaching("svc", "slow", "/b", T, Long.MAX_VALUE / 4), "dropped");
  }

  @Test
  void aServiceKeepsABoundedNumberOfEndpoints() {
    ServiceBreaches b = ServiceBreaches.local();
    for (int i = 0; i < ServiceBreaches.MAX_ENDPOINTS + 50; i++) {
      b.report("svc", "slow", String.format("/e%06d", i), T, true);
    }
    // the endpoints past the bound were not kept: none of them confirms another
    assertEquals("/e000000", b.otherBreaching("svc", "slow", "/x", T, 0));
    assertEquals(ServiceBreaches.MAX_ENDPOINTS, b.size("svc", "slow"));
  }
}
