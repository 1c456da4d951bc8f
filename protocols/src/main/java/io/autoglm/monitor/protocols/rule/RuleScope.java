package io.autoglm.monitor.protocols.rule;

/**
 * What a rule watches: each endpoint ({@link #ENDPOINT}, the default) or each admitted source IP of
 * a service ({@link #IP}).
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * constant (see persistence/README.md, "Stored types and how they evolve").
 */
public enum RuleScope {
  ENDPOINT("endpoint"),
  IP("ip");

  private final String wireName;

  RuleScope(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static java.util.Optional<RuleScope> fromWireName(String name) {
    for (RuleScope s : values()) {
      if (s.wireName.equals(name)) {
        return java.util.Optional.of(s);
      }
    }
    return java.util.Optional.empty();
  }
}
