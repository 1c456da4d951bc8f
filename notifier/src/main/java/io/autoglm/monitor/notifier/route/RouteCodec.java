package io.autoglm.monitor.notifier.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a routing tree from JSON (or YAML read as JSON): Alertmanager's {@code route} fields,
 * {@code receiver}, {@code matchers} (strings as {@code severity=~"critical|warning"}), {@code
 * continue}, {@code group_by}, {@code group_wait}, {@code group_interval}, {@code repeat_interval}
 * and {@code routes}. An error names the field by its path ({@code route.routes[1].matchers[0]}).
 * Bounded: {@value #MAX_DEPTH} levels, {@value #MAX_NODES} nodes, {@value #MAX_MATCHERS} matchers
 * and {@value #MAX_GROUP_BY} group-by labels a node.
 */
public final class RouteCodec {
  static final int MAX_DEPTH = 8;
  static final int MAX_NODES = 512;
  static final int MAX_MATCHERS = 16;
  static final int MAX_GROUP_BY = 16;
  static final int MAX_FAILOVER = 8;
  static final long MAX_INTERVAL_MS = 7L * 24 * 3600 * 1000;

  /** Alertmanager's defaults for the root's intervals, for routes that group. */
  public static final long DEFAULT_GROUP_WAIT_MS = 30_000;

  public static final long DEFAULT_GROUP_INTERVAL_MS = 5 * 60_000;
  public static final long DEFAULT_REPEAT_INTERVAL_MS = 4 * 3600_000;

  /**
   * Alertmanager's "no aggregation": each alert change is sent on its own, at once (an operator of
   * an LLM API wants to know within seconds). A route with {@code group_by} labels groups.
   */
  public static final String EACH_ALERT = "...";

  public static final List<String> DEFAULT_GROUP_BY = List.of(EACH_ALERT);

  /** A critical alert nobody acknowledged goes to the next level after this (the article's 5). */
  public static final long DEFAULT_ESCALATE_AFTER_MS = 5 * 60_000;

  private static final Set<String> FIELDS =
      Set.of(
          "receiver",
          "matchers",
          "continue",
          "group_by",
          "group_wait",
          "group_interval",
          "repeat_interval",
          "failover",
          "escalation",
          "escalate_after",
          "routes");

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private RouteCodec() {}

  /**
   * The tree under {@code json}; its root must name a receiver, and gets Alertmanager's defaults
   * for what it leaves out. {@code receivers} are the receiver names a route may name.
   */
  public static Route parse(JsonNode json, Set<String> receivers) {
    int[] nodes = {0};
    Route root = node(json, "route", 0, nodes, receivers);
    if (root.receiver() == null) {
      throw new InvalidFieldException("route.receiver", "the root route must name a receiver");
    }
    if (!root.matchers().isEmpty()) {
      throw new InvalidFieldException(
          "route.matchers", "the root route takes every alert: no matchers");
    }
    return new Route(
        root.receiver(),
        List.of(),
        false,
        root.groupBy() != null ? root.groupBy() : DEFAULT_GROUP_BY,
        root.groupWaitMs() != null ? root.groupWaitMs() : DEFAULT_GROUP_WAIT_MS,
        root.groupIntervalMs() != null ? root.groupIntervalMs() : DEFAULT_GROUP_INTERVAL_MS,
        root.repeatIntervalMs() != null ? root.repeatIntervalMs() : DEFAULT_REPEAT_INTERVAL_MS,
        root.failover(),
        root.escalation(),
        root.escalateAfterMs() != null ? root.escalateAfterMs() : DEFAULT_ESCALATE_AFTER_MS,
        root.routes());
  }

  private static Route node(
      JsonNode json, String path, int depth, int[] nodes, Set<String> receivers) {
    if (json == null || !json.isObject()) {
      throw new InvalidFieldException(path, "must be an object");
    }
    if (depth >= MAX_DEPTH) {
      throw new InvalidFieldException(path, "routes nest at most " + MAX_DEPTH + " levels deep");
    }
    if (++nodes[0] > MAX_NODES) {
      throw new InvalidFieldException(path, "a tree has at most " + MAX_NODES + " routes");
    }
    for (var it = json.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new InvalidFieldException(
            path + "." + f, "unknown field; expected one of " + new java.util.TreeSet<>(FIELDS));
      }
    }
    String receiver = null;
    JsonNode r = json.get("receiver");
    if (r != null && !r.isNull()) {
      if (!r.isTextual() || !receivers.contains(r.asText())) {
        throw new InvalidFieldException(
            path + ".receiver",
            "no receiver named " + r + "; receivers: " + new java.util.TreeSet<>(receivers));
      }
      receiver = r.asText();
    }
    List<Matcher> matchers = new ArrayList<>();
    JsonNode m = json.get("matchers");
    if (m != null && !m.isNull()) {
      if (!m.isArray() || m.size() > MAX_MATCHERS) {
        throw new InvalidFieldException(
            path + ".matchers", "must be a list of at most " + MAX_MATCHERS + " matchers");
      }
      for (int i = 0; i < m.size(); i++) {
        String field = path + ".matchers[" + i + "]";
        if (!m.get(i).isTextual()) {
          throw new InvalidFieldException(field, "must be a string like severity=\"critical\"");
        }
        try {
          matchers.add(Matcher.parse(m.get(i).asText()));
        } catch (IllegalArgumentException e) {
          throw new InvalidFieldException(field, e.getMessage());
        }
      }
    }
    boolean cont = false;
    JsonNode c = json.get("continue");
    if (c != null && !c.isNull()) {
      if (!c.isBoolean()) {
        throw new InvalidFieldException(path + ".continue", "must be true or false");
      }
      cont = c.asBoolean();
    }
    List<String> groupBy = null;
    JsonNode g = json.get("group_by");
    if (g != null && !g.isNull()) {
      if (!g.isArray() || g.size() > MAX_GROUP_BY) {
        throw new InvalidFieldException(
            path + ".group_by", "must be a list of at most " + MAX_GROUP_BY + " label names");
      }
      groupBy = new ArrayList<>();
      for (int i = 0; i < g.size(); i++) {
        String label = g.get(i).asText("");
        if (!g.get(i).isTextual() || !(label.equals("...") || NAME.matcher(label).matches())) {
          throw new InvalidFieldException(path + ".group_by[" + i + "]", "is not a label name");
        }
        groupBy.add(label);
      }
    }
    List<String> failover = new ArrayList<>();
    JsonNode f = json.get("failover");
    if (f != null && !f.isNull()) {
      if (!f.isArray() || f.size() > MAX_FAILOVER) {
        throw new InvalidFieldException(
            path + ".failover", "must be a list of at most " + MAX_FAILOVER + " receiver names");
      }
      if (receiver == null) {
        throw new InvalidFieldException(
            path + ".failover", "goes with a receiver: name the receiver it fails over from");
      }
      for (int i = 0; i < f.size(); i++) {
        String name = f.get(i).asText("");
        if (!f.get(i).isTextual() || !receivers.contains(name)) {
          throw new InvalidFieldException(
              path + ".failover[" + i + "]", "no receiver named " + f.get(i));
        }
        if (name.equals(receiver) || failover.contains(name)) {
          throw new InvalidFieldException(
              path + ".failover[" + i + "]", name + " is already in the chain");
        }
        failover.add(name);
      }
    }
    List<String> escalation = receiverList(json, "escalation", path, receiver, receivers);
    Long escalateAfter = interval(json, "escalate_after", path);
    Long wait = interval(json, "group_wait", path);
    Long every = interval(json, "group_interval", path);
    Long repeat = interval(json, "repeat_interval", path);
    List<Route> children = new ArrayList<>();
    JsonNode rs = json.get("routes");
    if (rs != null && !rs.isNull()) {
      if (!rs.isArray()) {
        throw new InvalidFieldException(path + ".routes", "must be a list of routes");
      }
      for (int i = 0; i < rs.size(); i++) {
        children.add(node(rs.get(i), path + ".routes[" + i + "]", depth + 1, nodes, receivers));
      }
    }
    return new Route(
        receiver,
        matchers,
        cont,
        groupBy,
        wait,
        every,
        repeat,
        failover,
        escalation,
        escalateAfter,
        children);
  }

  /** A list of receiver names ({@code escalation}) that goes with the node's own receiver. */
  private static List<String> receiverList(
      JsonNode json, String name, String path, String receiver, Set<String> receivers) {
    List<String> out = new ArrayList<>();
    JsonNode f = json.get(name);
    if (f == null || f.isNull()) {
      return out;
    }
    if (!f.isArray() || f.size() > MAX_FAILOVER) {
      throw new InvalidFieldException(
          path + "." + name, "must be a list of at most " + MAX_FAILOVER + " receiver names");
    }
    if (receiver == null) {
      throw new InvalidFieldException(path + "." + name, "goes with a receiver: name one");
    }
    for (int i = 0; i < f.size(); i++) {
      String r = f.get(i).asText("");
      if (!f.get(i).isTextual() || !receivers.contains(r)) {
        throw new InvalidFieldException(
            path + "." + name + "[" + i + "]", "no receiver named " + f.get(i));
      }
      if (r.equals(receiver) || out.contains(r)) {
        throw new InvalidFieldException(path + "." + name + "[" + i + "]", r + " is already in it");
      }
      out.add(r);
    }
    return out;
  }

  private static Long interval(JsonNode json, String name, String path) {
    JsonNode v = json.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    var m = DURATION.matcher(v.asText(""));
    if (!v.isTextual() || !m.matches()) {
      throw new InvalidFieldException(path + "." + name, "must be a duration like 30s, 5m or 4h");
    }
    long n = Long.parseLong(m.group(1));
    long ms =
        switch (m.group(2)) {
          case "ms" -> n;
          case "s" -> n * 1000;
          case "m" -> n * 60_000;
          case "h" -> n * 3_600_000;
          default -> n * 86_400_000;
        };
    if (ms > MAX_INTERVAL_MS || (ms == 0 && !name.equals("group_wait"))) {
      throw new InvalidFieldException(path + "." + name, "must be above 0 and at most 7d");
    }
    return ms;
  }
}
