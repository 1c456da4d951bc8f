package io.autoglm.monitor.protocols.rule;

/** A rule that cannot be accepted; {@link #field()} names the offending JSON field. */
public final class RuleValidationException extends RuntimeException {
  private final String field;
  private final String reason;

  public RuleValidationException(String field, String reason) {
    super("field '" + field + "': " + reason);
    this.field = field;
    this.reason = reason;
  }

  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
