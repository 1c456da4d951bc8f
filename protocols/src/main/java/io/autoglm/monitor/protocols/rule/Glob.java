package io.autoglm.monitor.protocols.rule;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled glob for service names and endpoint paths: {@code *} matches any run of characters
 * (including '/'), {@code ?} exactly one character, everything else itself. A pattern without
 * wildcards is an exact match.
 *
 * <p>Compiled once (when a rule is parsed or read back), then matched without regular expressions
 * or backtracking: the pattern is cut at its {@code *}s into literal segments; the first must match
 * at the start, the last at the end, and each one in between is taken at its leftmost match after
 * the previous one, which is always a correct choice for globs. So a match costs at most (value
 * length × pattern length) character comparisons, however the pattern is built: {@code
 * *a*a*a*a*a*b} against a long run of {@code a}s is as quick as any other pattern (a regex of
 * {@code .*a.*a...} backtracks exponentially there).
 *
 * <p>Stored and sent as its pattern string ({@link #pattern()}), so a rule persisted before this
 * class existed reads back unchanged.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public final class Glob {
  private static final int ANY_ONE = -1;

  private final String pattern;
  private final boolean exact;
  // the pattern's code points between '*'s; ANY_ONE stands for '?'
  private final int[][] segments;

  private Glob(String pattern) {
    this.pattern = pattern;
    this.exact = pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
    List<int[]> parts = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    pattern
        .codePoints()
        .forEach(
            c -> {
              if (c == '*') {
                parts.add(toArray(current));
                current.clear();
              } else {
                current.add(c == '?' ? ANY_ONE : c);
              }
            });
    parts.add(toArray(current));
    this.segments = parts.toArray(int[][]::new);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Glob of(String pattern) {
    if (pattern == null) {
      throw new IllegalArgumentException("a glob pattern must not be null");
    }
    return new Glob(pattern);
  }

  /** Matches everything. */
  public static final Glob ANY = of("*");

  @JsonValue
  public String pattern() {
    return pattern;
  }

  public boolean matches(String value) {
    if (exact) {
      return pattern.equals(value);
    }
    int[] v = value.codePoints().toArray();
    int last = segments.length - 1;
    if (last == 0) { // no '*': same length, every position matches
      return v.length == segments[0].length && matchesAt(segments[0], v, 0);
    }
    int[] head = segments[0];
    int[] tail = segments[last];
    if (v.length < head.length + tail.length
        || !matchesAt(head, v, 0)
        || !matchesAt(tail, v, v.length - tail.length)) {
      return false;
    }
    int from = head.length;
    int end = v.length - tail.length; // middle segments must fit in [from, end)
    for (int i = 1; i < last; i++) {
      int at = indexOf(segments[i], v, from, end);
      if (at < 0) {
        return false;
      }
      from = at + segments[i].length;
    }
    return true;
  }

  /** The leftmost position in [from, end - segment length] where the segment matches, or -1. */
  private static int indexOf(int[] segment, int[] v, int from, int end) {
    for (int at = from; at + segment.length <= end; at++) {
      if (matchesAt(segment, v, at)) {
        return at;
      }
    }
    return -1;
  }

  private static boolean matchesAt(int[] segment, int[] v, int at) {
    for (int i = 0; i < segment.length; i++) {
      if (segment[i] != ANY_ONE && segment[i] != v[at + i]) {
        return false;
      }
    }
    return true;
  }

  private static int[] toArray(List<Integer> codePoints) {
    return codePoints.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Glob other && pattern.equals(other.pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
