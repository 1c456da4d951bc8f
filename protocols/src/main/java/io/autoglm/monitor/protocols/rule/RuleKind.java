package io.autoglm.monitor.protocols.rule;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of rule, as {@code "kind"} names them; {@code threshold} when a rule names none. */
public enum RuleKind {
  THRESHOLD,
  BASELINE,
  CHANGE,
  FORECAST,
  AUTO;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<RuleKind> fromWireName(String name) {
    return Arrays.stream(values()).filter(k -> k.wireName().equals(name)).findFirst();
  }

  public static String allWireNames() {
    return Arrays.stream(values()).map(RuleKind::wireName).collect(Collectors.joining(", "));
  }
}
