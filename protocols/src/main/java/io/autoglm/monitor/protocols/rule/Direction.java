package io.autoglm.monitor.protocols.rule;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Which way a value must move to count: a surge, a drop, or either. Rules name it as {@code
 * "direction": "up" | "down" | "both"}.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * constant (see persistence/README.md, "Stored types and how they evolve").
 */
public enum Direction {
  UP,
  DOWN,
  BOTH;

  /** Whether {@code change} (signed) goes at least {@code limit} (≥ 0) this way. */
  public boolean reaches(double change, double limit) {
    return switch (this) {
      case UP -> change >= limit;
      case DOWN -> -change >= limit;
      case BOTH -> Math.abs(change) >= limit;
    };
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Direction> fromWireName(String name) {
    return Arrays.stream(values()).filter(d -> d.wireName().equals(name)).findFirst();
  }
}
