package io.autoglm.monitor.protocols.rule;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * <b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public enum Severity {
  INFO,
  WARNING,
  CRITICAL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Severity> fromWireName(String name) {
    return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
  }
}
