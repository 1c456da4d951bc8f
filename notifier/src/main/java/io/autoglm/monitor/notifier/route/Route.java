package io.autoglm.monitor.notifier.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node of the routing tree, as Alertmanager's {@code route}: an alert goes down the tree to the
 * deepest nodes whose matchers all match it, depth first; the first matching child takes it unless
 * that child says {@code continue}, when its next siblings are tried too; a node none of whose
 * children matched takes it itself. Settings a node leaves out ({@code receiver}, {@code group_by},
 * the intervals) come from its parent.
 *
 * @param receiver null: the parent's
 * @param escalation receivers a critical alert goes to, one more every {@code escalateAfterMs},
 *     while nobody acknowledges it; goes with the receiver, as {@code failover}
 * @param failover receivers tried in turn when none of {@code receiver}'s channels delivers (its
 *     breakers are open or its retries ran out); goes with the receiver (a route that names none
 *     has its parent's receiver and chain)
 * @param groupBy null: the parent's
 * @param groupWaitMs null: the parent's (and so for the other intervals)
 */
public record Route(
    String receiver,
    List<Matcher> matchers,
    boolean continueMatching,
    List<String> groupBy,
    Long groupWaitMs,
    Long groupIntervalMs,
    Long repeatIntervalMs,
    List<String> failover,
    List<String> escalation,
    Long escalateAfterMs,
    List<Route> routes) {

  public Route {
    failover = failover == null ? List.of() : List.copyOf(failover);
    escalation = escalation == null ? List.of() : List.copyOf(escalation);
    matchers = List.copyOf(matchers);
    groupBy = groupBy == null ? null : List.copyOf(groupBy);
    routes = List.copyOf(routes);
  }

  /**
   * Where an alert goes: the receiver, the receivers to fail over to in turn when none of its
   * channels delivers, and how its notifications are grouped and paced.
   */
  public record Match(
      String receiver,
      List<String> failover,
      List<String> groupBy,
      long groupWaitMs,
      long groupIntervalMs,
      long repeatIntervalMs,
      String path,
      List<String> escalation,
      long escalateAfterMs) {

    /** A match without escalation. */
    public Match(
        String receiver,
        List<String> failover,
        List<String> groupBy,
        long groupWaitMs,
        long groupIntervalMs,
        long repeatIntervalMs,
        String path) {
      this(
          receiver,
          failover,
          groupBy,
          groupWaitMs,
          groupIntervalMs,
          repeatIntervalMs,
          path,
          List.of(),
          RouteCodec.DEFAULT_ESCALATE_AFTER_MS);
    }
  }

  /**
   * The routes an alert with {@code labels} goes to, in tree order; this node is the root, whose
   * matchers are ignored (it takes every alert) and whose settings are all given.
   */
  public List<Match> match(Map<String, String> labels) {
    List<Match> out = new ArrayList<>();
    Match root =
        new Match(
            receiver,
            failover,
            groupBy,
            groupWaitMs,
            groupIntervalMs,
            repeatIntervalMs,
            "route",
            escalation,
            escalateAfterMs != null ? escalateAfterMs : RouteCodec.DEFAULT_ESCALATE_AFTER_MS);
    collect(root, labels, out);
    return out;
  }

  /** Adds the matches below this node (which matched, as {@code self}); true if any. */
  private void collect(Match self, Map<String, String> labels, List<Match> out) {
    boolean taken = false;
    for (int i = 0; i < routes.size(); i++) {
      Route child = routes.get(i);
      if (!child.matchers.stream().allMatch(m -> m.matches(labels))) {
        continue;
      }
      Match inherited =
          new Match(
              child.receiver != null ? child.receiver : self.receiver(),
              child.receiver != null ? child.failover : self.failover(),
              child.groupBy != null ? child.groupBy : self.groupBy(),
              child.groupWaitMs != null ? child.groupWaitMs : self.groupWaitMs(),
              child.groupIntervalMs != null ? child.groupIntervalMs : self.groupIntervalMs(),
              child.repeatIntervalMs != null ? child.repeatIntervalMs : self.repeatIntervalMs(),
              self.path() + ".routes[" + i + "]",
              child.receiver != null ? child.escalation : self.escalation(),
              child.escalateAfterMs != null ? child.escalateAfterMs : self.escalateAfterMs());
      child.collect(inherited, labels, out);
      taken = true;
      if (!child.continueMatching) {
        break;
      }
    }
    if (!taken) {
      out.add(self);
    }
  }
}
