package io.autoglm.monitor.protocols.capture;

/**
 * Thrown by the {@link CaptureRecord} and {@link CaptureBatch} constructors for an invalid
 * component. It names the field by its wire (snake_case) name so that {@link CaptureCodec} can turn
 * it into a {@link CaptureFormatException} for the line.
 */
public final class CaptureFieldException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String reason;

  public CaptureFieldException(String field, String reason) {
    super("field '" + field + "': " + reason);
    this.field = field;
    this.reason = reason;
  }

  /** The wire name of the invalid field, e.g. {@code latency_ms}. */
  public String field() {
    return field;
  }

  /** What is wrong, e.g. {@code must be an integer between 100 and 599, got 700}. */
  public String reason() {
    return reason;
  }
}
