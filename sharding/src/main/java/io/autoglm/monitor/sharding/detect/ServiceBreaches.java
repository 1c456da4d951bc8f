package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which endpoints of a service breach a rule confirmed by {@code "endpoints"}, for the rule's
 * confirmation: one slow endpoint is its own business, several at once are the service's.
 *
 * <p>Each endpoint's entity reports, at every evaluation point of such a rule, whether it breaches
 * it there (after its mute times, before any confirmation). The board keeps, per service, rule and
 * endpoint, the latest span of event time the endpoint breached in, and tells an endpoint whether
 * another one breached within a window of the same instant. Endpoints of a service live on several
 * nodes: a span that starts or grows by {@value #REFRESH_MS} ms is published ({@link Span}), and
 * the node applies the spans other nodes publish ({@link #apply}), so a node's view is as fresh as
 * its pub-sub (a second or so); a dead node's spans stop growing and age out of the window.
 *
 * <p>Bounded: spans older than {@value #KEEP_MS} ms behind the newest a service and rule saw are
 * dropped as reports come in, and a service and rule keep at most {@value #MAX_ENDPOINTS} endpoints
 * (the catalog bounds a service's endpoints below that).
 */
public final class ServiceBreaches {
  /** An endpoint breached {@code rule} from {@code from} to {@code until} (event time). */
  public record Span(String service, String rule, String endpoint, long from, long until)
      implements CborSerializable {}

  /** A span is published again when it grew by this much event time. */
  static final long REFRESH_MS = 10_000;

  /** A breach this far apart from the last one starts a new span. */
  static final long GAP_MS = 60_000;

  /** Spans this far behind the newest report of their service and rule are dropped. */
  static final long KEEP_MS = 3_600_000;

  static final int MAX_ENDPOINTS = 10_000;

  private record Key(String service, String rule) {}

  private static final class Board {
    final Map<String, Span> spans = new ConcurrentHashMap<>();
    final Map<String, Long> published = new ConcurrentHashMap<>();
    volatile long newest = Long.MIN_VALUE;
  }

  private final Map<Key, Board> boards = new ConcurrentHashMap<>();
  private final Consumer<Span> publish;

  /** A board whose spans {@code publish} sends to the other nodes. */
  public ServiceBreaches(Consumer<Span> publish) {
    this.publish = publish;
  }

  /** A board of one process (tests, backtests): nothing to publish. */
  public static ServiceBreaches local() {
    return new ServiceBreaches(span -> {});
  }

  /** {@code endpoint} of {@code service} breaches {@code rule} at {@code t}, or does not. */
  public void report(String service, String rule, String endpoint, long t, boolean breached) {
    Board board = boards.computeIfAbsent(new Key(service, rule), k -> new Board());
    if (t > board.newest) {
      board.newest = t;
      if (board.spans.values().removeIf(s -> s.until() < t - KEEP_MS)) {
        board.published.keySet().retainAll(board.spans.keySet());
      }
    }
    if (!breached) {
      return;
    }
    Span before = board.spans.get(endpoint);
    Span now;
    if (before == null || t > before.until() + GAP_MS) {
      if (before == null && board.spans.size() >= MAX_ENDPOINTS) {
        return;
      }
      now = new Span(service, rule, endpoint, t, t);
    } else if (t > before.until()) {
      now = new Span(service, rule, endpoint, before.from(), t);
    } else {
      return;
    }
    board.spans.put(endpoint, now);
    boolean started = before == null || now.from() != before.from();
    Long published = board.published.get(endpoint);
    if (started || published == null || now.until() - published >= REFRESH_MS) {
      board.published.put(endpoint, now.until());
      publish.accept(now);
    }
  }

  /** A span another node published: kept when it is newer than what this node knew. */
  public void apply(Span span) {
    Board board = boards.computeIfAbsent(new Key(span.service(), span.rule()), k -> new Board());
    board.spans.merge(
        span.endpoint(), span, (known, given) -> given.until() > known.until() ? given : known);
  }

  /**
   * Another endpoint of {@code service} than {@code endpoint} that breached {@code rule} within
   * {@code slackMs} of {@code t}; null when none did. The first by name, so the answer does not
   * depend on the order reports came in.
   */
  public String otherBreaching(String service, String rule, String endpoint, long t, long slackMs) {
    Board board = boards.get(new Key(service, rule));
    if (board == null) {
      return null;
    }
    String found = null;
    for (Span s : board.spans.values()) {
      if (!s.endpoint().equals(endpoint)
          && s.from() <= t + slackMs
          && s.until() >= t - slackMs
          && (found == null || s.endpoint().compareTo(found) < 0)) {
        found = s.endpoint();
      }
    }
    return found;
  }

  /** How many endpoints' spans are kept for {@code service} and {@code rule}. */
  int size(String service, String rule) {
    Board board = boards.get(new Key(service, rule));
    return board == null ? 0 : board.spans.size();
  }
}
