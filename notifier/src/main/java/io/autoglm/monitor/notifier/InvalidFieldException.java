package io.autoglm.monitor.notifier;

/**
 * A receiver, route or other notifier setting that cannot be read: the field's path ({@code
 * alert_channels[1].recipients[0]}, {@code route.routes[0].matchers[1]}) and what is wrong with it.
 * Its message is "path: what", for a 400's body or a start-up error.
 */
public final class InvalidFieldException extends IllegalArgumentException {
  private final String field;

  public InvalidFieldException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
