package io.autoglm.monitor.sharding.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which HTTP statuses count as errors for {@code error_rate} and the {@code errors} counters
 * ({@code autoglm.stats.error-statuses}): whole classes ({@code "5xx"}) and single codes ({@code
 * "429"}). The default, {@code ["5xx", "429"]}, counts a throttled request as failed: the caller
 * got no answer because of the service's capacity. {@code throttle_rate} counts 429s either way.
 *
 * <p>Applied when records are counted: a change affects data ingested from then on, not the
 * history.
 */
public final class ErrorStatuses {
  public static final ErrorStatuses DEFAULT = parse(List.of("5xx", "429"));

  private final boolean[] error = new boolean[600];
  private final List<String> spec;

  private ErrorStatuses(List<String> spec) {
    this.spec = List.copyOf(spec);
  }

  /**
   * @throws IllegalArgumentException naming the key and the entry that is neither a class ({@code
   *     1xx}..{@code 5xx}) nor a status (100..599)
   */
  public static ErrorStatuses parse(List<String> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(
          "autoglm.stats.error-statuses must name at least one status or class, e.g. [\"5xx\"]");
    }
    ErrorStatuses s = new ErrorStatuses(entries);
    List<String> bad = new ArrayList<>();
    for (String raw : entries) {
      String e = raw.trim().toLowerCase(Locale.ROOT);
      if (e.matches("[1-5]xx")) {
        int base = (e.charAt(0) - '0') * 100;
        for (int code = base; code < base + 100; code++) {
          s.error[code] = true;
        }
      } else if (e.matches("[1-5][0-9][0-9]")) {
        s.error[Integer.parseInt(e)] = true;
      } else {
        bad.add(raw);
      }
    }
    if (!bad.isEmpty()) {
      throw new IllegalArgumentException(
          "autoglm.stats.error-statuses: "
              + bad
              + " is not a status class (1xx..5xx) or a status (100..599)");
    }
    return s;
  }

  /** Whether a request answered {@code status} (100..599) counts as an error. */
  public boolean isError(int status) {
    return status >= 0 && status < error.length && error[status];
  }

  @Override
  public String toString() {
    return spec.toString();
  }
}
