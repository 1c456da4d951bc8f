package io.autoglm.monitor.notifier.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a silence in Alertmanager's API form: {@code matchers} (objects {@code {"name", "value",
 * "isRegex", "isEqual"}}, or strings as in routes), {@code startsAt}, {@code endsAt}, {@code
 * createdBy}, {@code comment}. Refused, naming the field: no matchers, a silence that would mute
 * everything (every matcher matches an alert without labels), an end not after the start or more
 * than {@value #MAX_DAYS} days after it, and text over the limits.
 */
public final class SilenceCodec {
  static final int MAX_MATCHERS = 16;
  static final int MAX_DAYS = 366;
  static final int MAX_TEXT = 1024;

  private static final Set<String> FIELDS =
      Set.of("id", "matchers", "startsAt", "endsAt", "createdBy", "comment");
  private static final Set<String> MATCHER_FIELDS = Set.of("name", "value", "isRegex", "isEqual");

  private SilenceCodec() {}

  /** A silence as Alertmanager's API writes it: how it is answered and stored. */
  public record Written(
      String id,
      List<WrittenMatcher> matchers,
      Instant startsAt,
      Instant endsAt,
      String createdBy,
      String comment) {}

  /** A matcher as Alertmanager's API writes it. */
  public record WrittenMatcher(String name, String value, boolean isRegex, boolean isEqual) {}

  /** {@code silence} in the form {@link #parse} reads back to the same silence. */
  public static Written written(Silence silence) {
    return new Written(
        silence.id(),
        silence.matchers().stream()
            .map(
                m ->
                    new WrittenMatcher(
                        m.name(),
                        m.value(),
                        m.op() == Matcher.Op.RE || m.op() == Matcher.Op.NOT_RE,
                        m.op() == Matcher.Op.EQ || m.op() == Matcher.Op.RE))
            .toList(),
        silence.startsAt(),
        silence.endsAt(),
        silence.createdBy(),
        silence.comment());
  }

  public static Silence parse(JsonNode json, String id, Instant now) {
    if (json == null || !json.isObject()) {
      throw new InvalidFieldException("silence", "must be an object");
    }
    for (var it = json.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new InvalidFieldException(
            f, "unknown field; expected one of " + new TreeSet<>(FIELDS));
      }
    }
    JsonNode m = json.get("matchers");
    if (m == null || !m.isArray() || m.isEmpty() || m.size() > MAX_MATCHERS) {
      throw new InvalidFieldException(
          "matchers", "must be a list of 1 to " + MAX_MATCHERS + " matchers");
    }
    List<Matcher> matchers = new ArrayList<>();
    for (int i = 0; i < m.size(); i++) {
      matchers.add(matcher(m.get(i), "matchers[" + i + "]"));
    }
    if (matchers.stream().allMatch(x -> x.matches(Map.of()))) {
      throw new InvalidFieldException(
          "matchers", "would mute every alert: at least one matcher must need a label's value");
    }
    Instant start = json.has("startsAt") ? time(json, "startsAt") : now;
    Instant end = time(json, "endsAt");
    if (!end.isAfter(start)) {
      throw new InvalidFieldException("endsAt", "must be after startsAt");
    }
    if (Duration.between(start, end).toDays() >= MAX_DAYS) {
      throw new InvalidFieldException("endsAt", "a silence lasts at most " + MAX_DAYS + " days");
    }
    return new Silence(id, matchers, start, end, text(json, "createdBy"), text(json, "comment"));
  }

  private static Matcher matcher(JsonNode n, String path) {
    try {
      if (n.isTextual()) {
        return Matcher.parse(n.asText());
      }
      if (!n.isObject()) {
        throw new InvalidFieldException(path, "must be an object {name, value, isRegex, isEqual}");
      }
      for (var it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!MATCHER_FIELDS.contains(f)) {
          throw new InvalidFieldException(path + "." + f, "unknown field");
        }
      }
      if (!n.path("name").isTextual() || !n.path("value").isTextual()) {
        throw new InvalidFieldException(path, "needs a name and a value");
      }
      boolean regex = n.path("isRegex").asBoolean(false);
      boolean equal = n.path("isEqual").asBoolean(true);
      String op = regex ? (equal ? "=~" : "!~") : (equal ? "=" : "!=");
      return Matcher.parse(n.get("name").asText() + op + n.get("value").asText());
    } catch (InvalidFieldException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidFieldException(path, e.getMessage());
    }
  }

  private static Instant time(JsonNode json, String field) {
    JsonNode v = json.get(field);
    if (v == null || !v.isTextual()) {
      throw new InvalidFieldException(field, "is required: a time like 2026-12-24T02:00:00Z");
    }
    try {
      return Instant.parse(v.asText());
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(v.asText()).toInstant();
      } catch (DateTimeParseException again) {
        throw new InvalidFieldException(field, "not a time like 2026-12-24T02:00:00Z: " + v);
      }
    }
  }

  private static String text(JsonNode json, String field) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual() || v.asText().length() > MAX_TEXT) {
      throw new InvalidFieldException(field, "must be text of at most " + MAX_TEXT + " characters");
    }
    return v.asText();
  }
}
