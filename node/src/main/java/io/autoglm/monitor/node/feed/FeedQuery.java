package io.autoglm.monitor.node.feed;

import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Severity;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one feed client asked for in its query string: {@code ?severity=} (one or a comma list),
 * {@code ?endpoint=} (a path, or a glob where {@code *} is any run of characters and {@code ?} one
 * character), {@code ?rule=} (rule ids, comma list) and {@code ?after=} (a cursor of an earlier
 * connection, to resume). Absent filters match every alert. Applied on the server, to the catch-up
 * and the live alerts alike.
 *
 * @param severities empty: every severity
 * @param endpoint null: every endpoint
 * @param rules empty: every rule
 * @param after empty: live only
 */
public record FeedQuery(
    Set<Severity> severities, String endpoint, Set<String> rules, Optional<FeedCursor> after) {

  /** The longest {@code ?endpoint=} pattern. */
  public static final int MAX_ENDPOINT_LENGTH = 256;

  /** The most rule ids in {@code ?rule=}, and the longest one. */
  public static final int MAX_RULES = 32;

  public static final int MAX_RULE_LENGTH = 128;

  public static final FeedQuery LIVE = new FeedQuery(Set.of(), null, Set.of(), Optional.empty());

  public FeedQuery {
    severities = Set.copyOf(severities);
    rules = Set.copyOf(rules);
  }

  /** A query string the feed refuses: answered {@code status} with the field named. */
  public static final class Invalid extends Exception {
    private final int status;
    private final String field;
    private final String reason;

    Invalid(int status, String field, String message, String reason) {
      super(message);
      this.status = status;
      this.field = field;
      this.reason = reason;
    }

    public int status() {
      return status;
    }

    public String field() {
      return field;
    }

    public String reason() {
      return reason;
    }
  }

  /**
   * The query of {@code params}.
   *
   * @param maxAge how far back a cursor may be (older: 410, the catch-up would not be bounded)
   * @throws Invalid naming the parameter
   */
  public static FeedQuery parse(Map<String, String> params, long nowMillis, Duration maxAge)
      throws Invalid {
    return new FeedQuery(
        severities(params.get("severity")),
        endpoint(params.get("endpoint")),
        rules(params.get("rule")),
        cursor(params.get("after"), nowMillis, maxAge));
  }

  private static Set<Severity> severities(String value) throws Invalid {
    if (value == null) {
      return Set.of();
    }
    Set<Severity> out = EnumSet.noneOf(Severity.class);
    String known =
        Arrays.stream(Severity.values()).map(Severity::wireName).collect(Collectors.joining(", "));
    for (String part : value.split(",", -1)) {
      String name = part.trim();
      Optional<Severity> s = Severity.fromWireName(name);
      if (s.isEmpty()) {
        throw new Invalid(
            400,
            "severity",
            "unknown severity: " + shortened(name, 32),
            "must be one of " + known + ", or a comma list of them");
      }
      out.add(s.get());
    }
    return out;
  }

  private static String endpoint(String value) throws Invalid {
    if (value == null) {
      return null;
    }
    if (value.isEmpty() || value.length() > MAX_ENDPOINT_LENGTH) {
      throw new Invalid(
          400,
          "endpoint",
          "endpoint pattern must be 1 to " + MAX_ENDPOINT_LENGTH + " characters",
          "a path such as /v1/chat/completions, or a glob such as /v1/*");
    }
    return value;
  }

  private static Set<String> rules(String value) throws Invalid {
    if (value == null) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (String part : value.split(",", -1)) {
      String id = part.trim();
      if (id.isEmpty() || id.length() > MAX_RULE_LENGTH) {
        throw new Invalid(
            400,
            "rule",
            "rule id must be 1 to " + MAX_RULE_LENGTH + " characters",
            "a rule id, or a comma list of them");
      }
      out.add(id);
    }
    if (out.size() > MAX_RULES) {
      throw new Invalid(
          400, "rule", "more than " + MAX_RULES + " rule ids", "at most " + MAX_RULES);
    }
    return out;
  }

  private static Optional<FeedCursor> cursor(String value, long nowMillis, Duration maxAge)
      throws Invalid {
    if (value == null) {
      return Optional.empty();
    }
    FeedCursor cursor;
    try {
      cursor = FeedCursor.decode(value);
    } catch (IllegalArgumentException e) {
      throw new Invalid(
          400,
          "after",
          "malformed cursor: " + e.getMessage(),
          "the cursor of a message of this feed, as it was sent");
    }
    long at = cursor.epochMillis();
    if (at > nowMillis + Duration.ofMinutes(5).toMillis()) {
      throw new Invalid(
          400, "after", "malformed cursor: it is in the future", "a cursor this feed sent");
    }
    if (at < nowMillis - maxAge.toMillis()) {
      throw new Invalid(
          410,
          "after",
          "cursor older than "
              + maxAge
              + ": what was missed is too far back to replay; read GET /api/v1/alerts and"
              + " connect without ?after=",
          "at most " + maxAge + " old (autoglm.http.feed.resume-max-age)");
    }
    return Optional.of(cursor);
  }

  /** Whether {@code alert} passes every filter of this query. */
  public boolean matches(Alert alert) {
    return (severities.isEmpty() || severities.contains(alert.severity()))
        && (rules.isEmpty() || rules.contains(alert.ruleId()))
        && (endpoint == null
            || (alert.endpoint() != null && globMatches(endpoint, alert.endpoint())));
  }

  /**
   * Whether {@code text} matches {@code glob} ({@code *}: any run, {@code ?}: one character): the
   * greedy two-pointer match, at most length × length steps, no backtracking regex.
   */
  static boolean globMatches(String glob, String text) {
    int g = 0;
    int t = 0;
    int star = -1;
    int resume = 0;
    while (t < text.length()) {
      if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == text.charAt(t))) {
        g++;
        t++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        resume = t;
      } else if (star >= 0) {
        g = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  private static String shortened(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "…" : s;
  }
}
