package io.autoglm.monitor.protocols.capture;

/**
 * A capture line that cannot be accepted. The message reads like {@code line 3: field 'status':
 * must be an integer between 100 and 599, got "abc"}, or {@code line 7: not a JSON object} when the
 * line as a whole is bad.
 */
public final class CaptureFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final long line;
  private final String field;
  private final String reason;

  public CaptureFormatException(long line, String field, String reason) {
    super(message(line, field, reason));
    this.line = line;
    this.field = field;
    this.reason = reason;
  }

  private static String message(long line, String field, String reason) {
    return field == null
        ? "line " + line + ": " + reason
        : "line " + line + ": field '" + field + "': " + reason;
  }

  /** The 1-based line number in the input (blank lines count). */
  public long line() {
    return line;
  }

  /** The wire name of the bad field, or null when the line as a whole is bad. */
  public String field() {
    return field;
  }

  /** What is wrong, without the line and field prefix. */
  public String reason() {
    return reason;
  }
}
