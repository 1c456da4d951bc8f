package io.autoglm.monitor.protocols.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What replacing one rule set with another changes: the rules added, the rules changed (each with
 * its fields before and after, in the API's JSON form) and the rules removed, by id; the answer of
 * {@code PUT /api/v1/rules} and what {@code ./autoglm rules apply} prints.
 */
public record RuleDiff(
    List<Added> added, List<Changed> changed, List<String> removed, int unchanged) {

  public RuleDiff {
    added = List.copyOf(added);
    changed = List.copyOf(changed);
    removed = List.copyOf(removed);
  }

  /** A new rule, with its expression ({@code qps[10s] > 5000}). */
  public record Added(String id, String expression) {}

  /** A changed rule: each changed field with its value before and after (null: not set). */
  public record Changed(String id, Map<String, FieldChange> fields) {}

  public record FieldChange(JsonNode from, JsonNode to) {}

  /** Whether the two sets hold the same rules (not part of the API's answer). */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isEmpty() {
    return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
  }

  /** From {@code before} to exactly {@code after} (rules of {@code before} not in it: removed). */
  public static RuleDiff between(
      Collection<ThresholdRule> before, Collection<ThresholdRule> after) {
    Map<String, ThresholdRule> old = new TreeMap<>();
    before.forEach(r -> old.put(r.id(), r));
    Map<String, ThresholdRule> next = new TreeMap<>();
    after.forEach(r -> next.put(r.id(), r));
    List<Added> added = new ArrayList<>();
    List<Changed> changed = new ArrayList<>();
    int unchanged = 0;
    for (ThresholdRule r : next.values()) {
      ThresholdRule o = old.get(r.id());
      if (o == null) {
        added.add(new Added(r.id(), r.expression()));
        continue;
      }
      Map<String, FieldChange> fields = changedFields(o, r);
      if (fields.isEmpty()) {
        unchanged++;
      } else {
        changed.add(new Changed(r.id(), fields));
      }
    }
    List<String> removed = new ArrayList<>();
    old.keySet().stream().filter(id -> !next.containsKey(id)).forEach(removed::add);
    return new RuleDiff(added, changed, removed, unchanged);
  }

  /** Whether {@code a} and {@code b} are the same rule in the API's form. */
  public static boolean same(ThresholdRule a, ThresholdRule b) {
    return a.equals(b) || changedFields(a, b).isEmpty();
  }

  /** The fields of the API's form that differ, in field order; the expression left out. */
  private static Map<String, FieldChange> changedFields(ThresholdRule a, ThresholdRule b) {
    ObjectNode x = RuleCodec.toJson(a);
    ObjectNode y = RuleCodec.toJson(b);
    x.remove("expression");
    y.remove("expression");
    Map<String, FieldChange> out = new LinkedHashMap<>();
    TreeSet<String> names = new TreeSet<>();
    for (Iterator<String> it = x.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    for (Iterator<String> it = y.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    for (String n : names) {
      JsonNode from = x.get(n);
      JsonNode to = y.get(n);
      if (from == null ? to != null : !from.equals(to)) {
        out.put(n, new FieldChange(from, to));
      }
    }
    return out;
  }
}
