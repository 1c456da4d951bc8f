package io.autoglm.monitor.protocols.rule;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a rule compares the observed value with its threshold.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public enum Comparison {
  GT(">"),
  GE(">="),
  LT("<"),
  LE("<=");

  private final String symbol;

  Comparison(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  public boolean holds(double value, double threshold) {
    return switch (this) {
      case GT -> value > threshold;
      case GE -> value >= threshold;
      case LT -> value < threshold;
      case LE -> value <= threshold;
    };
  }

  /** The comparison that holds exactly where this one does not: {@code >} and {@code <=}. */
  public Comparison negated() {
    return switch (this) {
      case GT -> LE;
      case GE -> LT;
      case LT -> GE;
      case LE -> GT;
    };
  }

  /** Whether the alert fires for values above the threshold ({@code >}, {@code >=}). */
  public boolean upward() {
    return this == GT || this == GE;
  }

  public static Optional<Comparison> fromSymbol(String symbol) {
    return Arrays.stream(values()).filter(c -> c.symbol.equals(symbol)).findFirst();
  }

  public static String allSymbols() {
    return Arrays.stream(values()).map(Comparison::symbol).collect(Collectors.joining(", "));
  }
}
