package io.autoglm.monitor.protocols.rule;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.TextChecks;
import io.autoglm.monitor.protocols.json.Json;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON form of rules, as accepted by {@code PUT /api/v1/rules/{id}}:
 *
 * <pre>{@code
 * {"metric": "error_rate", "op": ">", "threshold": 0.05, "recovery": 0.02, "window": "1m",
 *  "for": "30s", "keep_firing_for": "1m", "min_requests": 100, "cooldown": "5m",
 *  "severity": "critical", "service": "*", "endpoint": "/v1/chat/*", "description": "..."}
 * }</pre>
 *
 * A rule on source IPs adds {@code "scope": "ip"} and optionally {@code "ip": "10.8.*"} (a glob on
 * the address; IPs it names are tracked from their first request): {@code {"scope": "ip", "metric":
 * "qps", "op": ">", "threshold": 50, "window": "10s", "for": "10s"}}.
 *
 * <p>Durations are strings with a unit ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code
 * 1d}) or a number of seconds.
 */
public final class RuleCodec {
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The most {@code min_requests} a rule may ask for. */
  static final long MAX_MIN_REQUESTS = 1_000_000_000L;

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
  private static final long MAX_DURATION_MS = 7L * 24 * 3600 * 1000;

  /** The longest window any node accepts; a node may allow less ({@code max-window}). */
  public static final long MAX_WINDOW_MS = 24L * 3600 * 1000;

  private static final int MAX_TEXT = 512;
  private static final Pattern IP_GLOB = Pattern.compile("[0-9A-Fa-f.:*?]{1,64}");

  private RuleCodec() {}

  /**
   * Validates and builds a rule. {@code pathId} is the id from the URL; a body {@code id}, if
   * present, must equal it.
   */
  public static ThresholdRule parse(JsonNode body, String pathId) {
    checkObjectAndId(body, pathId, "rule");
    String metricName = requiredText(body, "metric");
    Metric metric =
        Metric.fromWireName(metricName)
            .orElseThrow(
                () ->
                    new RuleValidationException(
                        "metric",
                        "unknown metric '"
                            + metricName
                            + "', expected one of: "
                            + Metric.allWireNames()));
    String op = requiredText(body, "op");
    Comparison comparison =
        Comparison.fromSymbol(op)
            .orElseThrow(
                () ->
                    new RuleValidationException(
                        "op",
                        "unknown comparison '"
                            + op
                            + "', expected one of: "
                            + Comparison.allSymbols()));
    JsonNode thresholdNode = body.get("threshold");
    if (thresholdNode == null || !thresholdNode.isNumber()) {
      throw new RuleValidationException("threshold", "is required and must be a number");
    }
    double threshold = thresholdNode.asDouble();
    if (!Double.isFinite(threshold) || threshold < 0) {
      throw new RuleValidationException("threshold", "must be a finite number >= 0");
    }
    if (metric.isRate() && threshold > 1) {
      throw new RuleValidationException(
          "threshold", metric.wireName() + " is a fraction between 0 and 1");
    }
    Double recovery = null;
    if (body.hasNonNull("recovery")) {
      JsonNode r = body.get("recovery");
      if (!r.isNumber() || !Double.isFinite(r.asDouble()) || r.asDouble() < 0) {
        throw new RuleValidationException("recovery", "must be a finite number >= 0");
      }
      recovery = r.asDouble();
      if (metric.isRate() && recovery > 1) {
        throw new RuleValidationException(
            "recovery", metric.wireName() + " is a fraction between 0 and 1");
      }
      if (comparison.upward() ? recovery > threshold : recovery < threshold) {
        throw new RuleValidationException(
            "recovery",
            "must be at or "
                + (comparison.upward() ? "below" : "above")
                + " the threshold "
                + formatNumber(threshold)
                + " of a '"
                + comparison.symbol()
                + "' rule: the alert resolves once the value is back past it");
      }
    }
    String scopeName = optionalText(body, "scope", "endpoint");
    RuleScope scope =
        RuleScope.fromWireName(scopeName)
            .orElseThrow(
                () ->
                    new RuleValidationException(
                        "scope", "unknown scope '" + scopeName + "', expected endpoint or ip"));
    if (scope == RuleScope.IP && !metric.forSourceIps()) {
      throw new RuleValidationException("metric", metric.wireName() + " is not kept per source IP");
    }
    String ip = optionalText(body, "ip", "*");
    if (scope == RuleScope.ENDPOINT && body.hasNonNull("ip")) {
      throw new RuleValidationException("ip", "is for rules with \"scope\": \"ip\"");
    }
    if (!IP_GLOB.matcher(ip).matches()) {
      throw new RuleValidationException(
          "ip", "must be an address or a glob of one (digits, a-f, '.', ':', '*', '?'), 1..64");
    }
    if (scope == RuleScope.IP && body.hasNonNull("endpoint")) {
      throw new RuleValidationException(
          "endpoint", "a rule on source IPs watches each IP over all endpoints of its service");
    }
    long windowMs = duration(body, "window", 0);
    if (body.hasNonNull("window") && (windowMs < 1000 || windowMs % 1000 != 0)) {
      throw new RuleValidationException("window", "must be a whole number of seconds, at least 1s");
    }
    if (windowMs > MAX_WINDOW_MS) {
      throw new RuleValidationException("window", "must be at most 1d");
    }
    long forMs = duration(body, "for", 0);
    long cooldownMs = duration(body, "cooldown", 0);
    long keepFiringForMs = duration(body, "keep_firing_for", 0);
    long minRequests = 0;
    if (body.hasNonNull("min_requests")) {
      JsonNode n = body.get("min_requests");
      if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > MAX_MIN_REQUESTS) {
        throw new RuleValidationException(
            "min_requests", "must be a whole number from 0 to " + MAX_MIN_REQUESTS);
      }
      if (metric == Metric.QPS || metric == Metric.TOKENS_PER_SECOND) {
        throw new RuleValidationException(
            "min_requests",
            "is for rates and latencies; " + metric.wireName() + " counts every window");
      }
      minRequests = n.asLong();
    }
    String severityName = optionalText(body, "severity", "warning");
    Severity severity =
        Severity.fromWireName(severityName)
            .orElseThrow(
                () ->
                    new RuleValidationException(
                        "severity",
                        "unknown severity '"
                            + severityName
                            + "', expected info, warning or critical"));
    String service = optionalText(body, "service", "*");
    String endpoint = optionalText(body, "endpoint", "*");
    if (!endpoint.startsWith("/") && !endpoint.startsWith("*")) {
      throw new RuleValidationException(
          "endpoint", "must be a path starting with '/' or a glob starting with '*'");
    }
    String description = optionalText(body, "description", "");
    return new ThresholdRule(
        pathId,
        metric,
        comparison,
        threshold,
        forMs,
        cooldownMs,
        severity,
        Glob.of(service),
        Glob.of(endpoint),
        description,
        windowMs,
        scope,
        Glob.of(ip),
        recovery,
        keepFiringForMs,
        minRequests);
  }

  /**
   * Validates and builds a watch-list entry from {@code {"ip": "203.0.113.*", "service": "*",
   * "description": "..."}} ({@code ip} required, a glob as a rule's; {@code service} default {@code
   * *}). {@code pathId} is the id from the URL; a body {@code id}, if present, must equal it.
   */
  public static IpWatch parseWatch(JsonNode body, String pathId) {
    checkObjectAndId(body, pathId, "watch");
    String ip = requiredText(body, "ip");
    if (!IP_GLOB.matcher(ip).matches()) {
      throw new RuleValidationException(
          "ip", "must be an address or a glob of one (digits, a-f, '.', ':', '*', '?'), 1..64");
    }
    String service = optionalText(body, "service", "*");
    String description = optionalText(body, "description", "");
    return new IpWatch(pathId, Glob.of(service), Glob.of(ip), description);
  }

  /** A watch-list entry as the API answers it: {@link #parseWatch}'s keys. */
  public record WatchView(String id, String ip, String service, String description) {
    public static WatchView of(IpWatch w) {
      return new WatchView(w.id(), w.ip().pattern(), w.service().pattern(), w.description());
    }
  }

  /**
   * A rule as the API answers it ({@code GET /api/v1/rules[/{id}]}, and the answer of a {@code
   * PUT}): the keys {@link #parse} reads, durations formatted ({@code 30s}), and the computed
   * {@code expression} (ignored when sent back).
   */
  public record RuleView(
      String id,
      String metric,
      String op,
      double threshold,
      @JsonInclude(JsonInclude.Include.NON_NULL) String window,
      @JsonProperty("for") String forDuration,
      String cooldown,
      String severity,
      String service,
      String endpoint,
      String description,
      String expression,
      @JsonInclude(JsonInclude.Include.NON_NULL) String scope,
      @JsonInclude(JsonInclude.Include.NON_NULL) String ip,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double recovery,
      @JsonProperty("keep_firing_for") @JsonInclude(JsonInclude.Include.NON_NULL)
          String keepFiringFor,
      @JsonProperty("min_requests") @JsonInclude(JsonInclude.Include.NON_NULL) Long minRequests) {

    public static RuleView of(ThresholdRule rule) {
      boolean ipScope = rule.scope() == RuleScope.IP;
      return new RuleView(
          rule.id(),
          rule.metric().wireName(),
          rule.comparison().symbol(),
          rule.threshold(),
          rule.windowMs() > 0 ? formatDuration(rule.windowMs()) : null,
          formatDuration(rule.forMs()),
          formatDuration(rule.cooldownMs()),
          rule.severity().wireName(),
          rule.serviceSelector().pattern(),
          ipScope ? null : rule.endpointSelector().pattern(),
          rule.description(),
          rule.expression(),
          ipScope ? rule.scope().wireName() : null,
          ipScope ? rule.ipSelector().pattern() : null,
          rule.recovery(),
          rule.keepFiringForMs() > 0 ? formatDuration(rule.keepFiringForMs()) : null,
          rule.minRequests() > 0 ? rule.minRequests() : null);
    }
  }

  /** {@link RuleView} as a JSON tree: what {@link #parse} reads back to the same rule. */
  public static ObjectNode toJson(ThresholdRule rule) {
    return Json.mapper().valueToTree(RuleView.of(rule));
  }

  /** Parses {@code 30s}, {@code 500ms}, {@code 5m}, {@code 2h}, {@code 1d} to milliseconds. */
  public static long parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a duration like 30s, 500ms, 5m, 1h, got '" + text + "'");
    }
    double amount = Double.parseDouble(m.group(1));
    long unit =
        switch (m.group(2)) {
          case "ms" -> 1;
          case "s" -> 1000;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          default -> 86_400_000;
        };
    return Math.round(amount * unit);
  }

  public static String formatDuration(long ms) {
    if (ms == 0) {
      return "0s";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  static String formatNumber(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private static long duration(JsonNode body, String field, long defaultMs) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return defaultMs;
    }
    long ms;
    if (node.isNumber()) {
      ms = Math.round(node.asDouble() * 1000);
      if (node.asDouble() < 0) {
        throw new RuleValidationException(field, "must not be negative, got " + node.asText());
      }
    } else if (node.isTextual()) {
      String text = node.asText().trim();
      if (text.startsWith("-")) {
        throw new RuleValidationException(field, "must not be negative, got '" + text + "'");
      }
      try {
        ms = parseDuration(text);
      } catch (IllegalArgumentException e) {
        throw new RuleValidationException(field, e.getMessage());
      }
    } else {
      throw new RuleValidationException(
          field, "must be a duration string like '30s' or a number of seconds");
    }
    if (ms > MAX_DURATION_MS) {
      throw new RuleValidationException(field, "must be at most 7d");
    }
    return ms;
  }

  /** The body is an object; the URL's id is valid, and a body {@code id} equals it. */
  private static void checkObjectAndId(JsonNode body, String pathId, String what) {
    if (body == null || !body.isObject()) {
      throw new RuleValidationException("$", "the " + what + " must be a JSON object");
    }
    if (pathId == null || !ID.matcher(pathId).matches()) {
      throw new RuleValidationException("id", "must match " + ID.pattern());
    }
    JsonNode idNode = body.get("id");
    if (idNode != null && !idNode.isNull() && !pathId.equals(idNode.asText())) {
      throw new RuleValidationException(
          "id", "'" + idNode.asText() + "' differs from the id in the URL '" + pathId + "'");
    }
  }

  private static String requiredText(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      throw new RuleValidationException(field, "is required");
    }
    if (!node.isTextual()) {
      throw new RuleValidationException(field, "must be a string");
    }
    return node.asText();
  }

  private static String optionalText(JsonNode body, String field, String defaultValue) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isTextual()) {
      throw new RuleValidationException(field, "must be a string");
    }
    String text = node.asText();
    if (text.length() > MAX_TEXT) {
      throw new RuleValidationException(field, "must be at most " + MAX_TEXT + " characters");
    }
    if (text.isBlank() && !field.equals("description")) {
      throw new RuleValidationException(field, "must not be blank");
    }
    int hidden = TextChecks.indexOfInvisible(text, field.equals("description"));
    if (hidden >= 0 && Character.isSurrogate(text.charAt(hidden))) {
      throw new RuleValidationException(
          field,
          "must be valid Unicode text (no unpaired surrogates), got an unpaired surrogate at index "
              + hidden);
    }
    if (hidden >= 0) {
      throw new RuleValidationException(
          field,
          String.format(
              "must not hold control or invisible formatting characters (U+%04X at index %d)",
              text.codePointAt(hidden), hidden));
    }
    return text;
  }
}
