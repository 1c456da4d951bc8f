package io.autoglm.monitor.protocols.document;

/**
 * A document (a rules file, the configuration file) that cannot be accepted. The message names
 * where: {@code rules.yaml:7: rules[2].threshold: must be a number}; {@link #line()} is 0 when no
 * line is known, {@link #field()} is {@code $} for the document as a whole.
 */
public final class DocumentException extends Exception {
  private final String source;
  private final int line;
  private final String field;
  private final String reason;

  public DocumentException(String source, int line, String field, String reason) {
    super(source + (line > 0 ? ":" + line : "") + ": " + field + ": " + reason);
    this.source = source;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }

  public String source() {
    return source;
  }

  public int line() {
    return line;
  }

  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
