package io.autoglm.monitor.sharding.detect.model;

/** Which way a value must move to count: a surge, a drop, or either. */
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
}
