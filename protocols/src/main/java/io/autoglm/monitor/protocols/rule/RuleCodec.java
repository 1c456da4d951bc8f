package io.autoglm.monitor.protocols.rule;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.TextChecks;
import io.autoglm.monitor.protocols.json.Json;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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

  /** In {@code confirm_with}: another endpoint of the service breaching the rule confirms it. */
  public static final String ENDPOINTS = "endpoints";

  /** The most {@code min_requests} a rule may ask for. */
  static final long MAX_MIN_REQUESTS = 1_000_000_000L;

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
  private static final long MAX_DURATION_MS = 7L * 24 * 3600 * 1000;

  /** The longest window any node accepts; a node may allow less ({@code max-window}). */
  public static final long MAX_WINDOW_MS = 24L * 3600 * 1000;

  private static final int MAX_TEXT = 512;

  /** The longest history a {@code baseline} rule may keep. */
  static final long MAX_HISTORY_MS = 24L * 3600 * 1000;

  /** The widest band, in spreads. */
  static final double MAX_K = 100;

  /** The largest change ratio a {@code change} rule may ask for (+100,000 %). */
  static final double MAX_RATIO = 1000;

  private static final int MAX_LABELS = 16;
  private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final Pattern IP_GLOB = Pattern.compile("[0-9A-Fa-f.:*?]{1,64}");

  private RuleCodec() {}

  /**
   * Validates and builds a rule. {@code pathId} is the id from the URL; a body {@code id}, if
   * present, must equal it.
   */
  public static ThresholdRule parse(JsonNode body, String pathId) {
    checkObjectAndId(body, pathId, "rule");
    String kindName = optionalText(body, "kind", "threshold");
    RuleKind kind =
        RuleKind.fromWireName(kindName)
            .orElseThrow(
                () ->
                    new RuleValidationException(
                        "kind",
                        "unknown kind '"
                            + kindName
                            + "', expected one of: "
                            + RuleKind.allWireNames()));
    // in the body's order, so the first field out of place is the one named
    for (var names = body.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!KIND_FIELDS.containsKey(field) && !COMMON_FIELDS.contains(field)) {
        throw new RuleValidationException(
            field,
            "unknown field (a typo would otherwise do nothing); see the rule fields in the README");
      }
      if (body.hasNonNull(field)
          && KIND_FIELDS.containsKey(field)
          && !KIND_FIELDS.get(field).contains(kind)) {
        throw new RuleValidationException(
            field,
            "is for "
                + KIND_FIELDS.get(field).stream()
                    .map(RuleKind::wireName)
                    .collect(Collectors.joining(" and "))
                + " rules, not "
                + kind.wireName());
      }
    }
    Metric metric = kind == RuleKind.AUTO ? null : metric(body);
    String scopeName = optionalText(body, "scope", "endpoint");
    RuleScope scope =
        RuleScope.fromWireName(scopeName)
            .orElseThrow(
                () ->
                    new RuleValidationException(
                        "scope", "unknown scope '" + scopeName + "', expected endpoint or ip"));
    if (scope == RuleScope.IP && metric != null && !metric.forSourceIps()) {
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
      if (kind != RuleKind.CHANGE && (metric == Metric.QPS || metric == Metric.TOKENS_PER_SECOND)) {
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
    Map<String, String> labels = textMap(body, "labels");
    Map<String, String> annotations = textMap(body, "annotations");
    Filters filters = filters(body, scope, metric);

    Comparison comparison = Comparison.GT;
    double threshold = 0;
    Double recovery = null;
    Double critical = null;
    Detection detection = null;
    switch (kind) {
      case THRESHOLD -> {
        String op = requiredText(body, "op");
        comparison =
            Comparison.fromSymbol(op)
                .orElseThrow(
                    () ->
                        new RuleValidationException(
                            "op",
                            "unknown comparison '"
                                + op
                                + "', expected one of: "
                                + Comparison.allSymbols()));
        threshold = level(body, "threshold", metric, true);
        recovery = body.hasNonNull("recovery") ? level(body, "recovery", metric, false) : null;
        if (recovery != null
            && (comparison.upward() ? recovery > threshold : recovery < threshold)) {
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
        critical = body.hasNonNull("critical") ? level(body, "critical", metric, false) : null;
        if (critical != null) {
          if (critical == threshold || !comparison.holds(critical, threshold)) {
            throw new RuleValidationException(
                "critical",
                "must be past the threshold "
                    + formatNumber(threshold)
                    + " of a '"
                    + comparison.symbol()
                    + "' rule: it raises a firing alert to critical");
          }
          if (severity == Severity.CRITICAL) {
            throw new RuleValidationException(
                "severity",
                "a rule with a critical level fires at warning or info first; got critical");
          }
        }
      }
      case BASELINE -> {
        Direction direction = direction(body, Direction.UP);
        String methodName = optionalText(body, "method", "stddev");
        Detection.BaselineMethod method =
            Detection.BaselineMethod.fromWireName(methodName)
                .orElseThrow(
                    () ->
                        new RuleValidationException(
                            "method",
                            "unknown method '" + methodName + "', expected stddev, ewma or mad"));
        long historyMs = duration(body, "history", 3_600_000);
        if (historyMs < 10 * 60_000 || historyMs > MAX_HISTORY_MS || historyMs % 60_000 != 0) {
          throw new RuleValidationException(
              "history", "must be whole minutes from 10m to " + formatDuration(MAX_HISTORY_MS));
        }
        int minSamples = (int) wholeNumber(body, "min_samples", 10, 2, historyMs / 60_000);
        double minSpread =
            body.hasNonNull("min_spread") ? level(body, "min_spread", metric, false) : 0;
        comparison = direction == Direction.DOWN ? Comparison.LT : Comparison.GT;
        double minSpreadRatio = 0;
        if (body.hasNonNull("min_spread_ratio")) {
          minSpreadRatio = level(body, "min_spread_ratio", null, false);
          if (minSpreadRatio > 10) {
            throw new RuleValidationException("min_spread_ratio", "must be at most 10");
          }
        }
        detection =
            new Detection.Baseline(
                method, k(body), historyMs, minSamples, direction, minSpread, minSpreadRatio);
      }
      case CHANGE -> {
        Direction direction = direction(body, Direction.UP);
        long offsetMs = duration(body, "compare_to", 86_400_000);
        if (offsetMs != 86_400_000 && offsetMs != 7 * 86_400_000L) {
          throw new RuleValidationException(
              "compare_to", "must be 1d (day over day) or 7d (week over week)");
        }
        String modeName = optionalText(body, "mode", "ratio");
        Detection.ChangeMode mode =
            Detection.ChangeMode.fromWireName(modeName)
                .orElseThrow(
                    () ->
                        new RuleValidationException(
                            "mode", "unknown mode '" + modeName + "', expected ratio or absolute"));
        threshold =
            level(body, "threshold", mode == Detection.ChangeMode.RATIO ? null : metric, true);
        if (mode == Detection.ChangeMode.RATIO && threshold > MAX_RATIO) {
          throw new RuleValidationException(
              "threshold",
              "a ratio of at most "
                  + formatNumber(MAX_RATIO)
                  + " ("
                  + formatNumber(MAX_RATIO * 100)
                  + " %)");
        }
        if (!(threshold > 0)) {
          throw new RuleValidationException("threshold", "must be > 0: the change that fires");
        }
        comparison = direction == Direction.DOWN ? Comparison.LT : Comparison.GT;
        detection = new Detection.Change(offsetMs, mode, direction);
      }
      case FORECAST -> {
        Direction direction = direction(body, Direction.BOTH);
        long stepMs = duration(body, "step", 5 * 60_000);
        if (stepMs < 60_000 || stepMs % 60_000 != 0 || 86_400_000 % stepMs != 0) {
          throw new RuleValidationException(
              "step", "must be whole minutes dividing a day (1m, 5m, 10m, 15m, 30m, 1h, ...)");
        }
        comparison = direction == Direction.DOWN ? Comparison.LT : Comparison.GT;
        detection = new Detection.Forecast(k(body), stepMs, direction);
      }
      case AUTO -> {
        String name = optionalText(body, "sensitivity", "medium");
        detection =
            new Detection.Auto(
                Detection.Sensitivity.fromWireName(name)
                    .orElseThrow(
                        () ->
                            new RuleValidationException(
                                "sensitivity",
                                "unknown sensitivity '"
                                    + name
                                    + "', expected low, medium or high")));
      }
      default -> throw new IllegalStateException("unknown kind " + kind);
    }
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
        minRequests,
        critical,
        detection,
        labels,
        annotations,
        filters);
  }

  /** The most mute times a rule may have. */
  static final int MAX_MUTE_TIMES = 16;

  /** The longest maintenance window. */
  static final long MAX_MAINTENANCE_MS = 366L * 86_400_000;

  private static final Pattern TIMES = Pattern.compile("(\\d{2}):(\\d{2})-(\\d{2}):(\\d{2})");

  /**
   * {@code flapping}, {@code mute}, {@code ignore_same_last_week}, {@code confirm_with}, {@code
   * notify_limit}.
   */
  private static Filters filters(JsonNode body, RuleScope scope, Metric metric) {
    int flapChanges = Filters.DEFAULT_FLAP_CHANGES;
    long flapWindowMs = Filters.DEFAULT_FLAP_WINDOW_MS;
    JsonNode flapping = body.get("flapping");
    if (flapping != null && !flapping.isNull()) {
      if (flapping.isBoolean()) {
        if (!flapping.asBoolean()) {
          flapChanges = 0;
          flapWindowMs = 0;
        }
      } else if (flapping.isObject()) {
        onlyFields(flapping, "flapping", "changes", "within");
        flapChanges =
            (int)
                wholeNumber(
                    flapping,
                    "flapping.changes",
                    "changes",
                    Filters.DEFAULT_FLAP_CHANGES,
                    2,
                    Filters.MAX_FLAP_CHANGES);
        flapWindowMs =
            duration(flapping, "within", Filters.DEFAULT_FLAP_WINDOW_MS, "flapping.within");
        if (flapWindowMs < 60_000 || flapWindowMs > 86_400_000) {
          throw new RuleValidationException("flapping.within", "must be from 1m to 1d");
        }
      } else {
        throw new RuleValidationException(
            "flapping", "must be false or an object like {\"changes\": 4, \"within\": \"30m\"}");
      }
    }
    List<Filters.MuteTime> mute = new ArrayList<>();
    JsonNode muteNode = body.get("mute");
    if (muteNode != null && !muteNode.isNull()) {
      if (!muteNode.isArray()) {
        throw new RuleValidationException(
            "mute", "must be a list of maintenance windows and mute times");
      }
      if (muteNode.size() > MAX_MUTE_TIMES) {
        throw new RuleValidationException(
            "mute", "must have at most " + MAX_MUTE_TIMES + " entries");
      }
      for (int i = 0; i < muteNode.size(); i++) {
        mute.add(muteTime(muteNode.get(i), "mute[" + i + "]"));
      }
    }
    Double sameLastWeek = null;
    JsonNode same = body.get("ignore_same_last_week");
    if (same != null && !same.isNull()) {
      if (!same.isNumber() || !(same.asDouble() > 0 && same.asDouble() <= 10)) {
        throw new RuleValidationException(
            "ignore_same_last_week",
            "must be a fraction above 0, at most 10: how close last week's value must be (0.2: within 20 %)");
      }
      sameLastWeek = same.asDouble();
    }
    List<Metric> confirmWith = new ArrayList<>();
    boolean confirmByEndpoints = false;
    JsonNode confirm = body.get("confirm_with");
    if (confirm != null && !confirm.isNull()) {
      if (!confirm.isArray() || confirm.isEmpty() || confirm.size() > 4) {
        throw new RuleValidationException(
            "confirm_with", "must be a list of 1 to 4 metrics (or \"" + ENDPOINTS + "\")");
      }
      for (int i = 0; i < confirm.size(); i++) {
        String field = "confirm_with[" + i + "]";
        JsonNode n = confirm.get(i);
        if (n.isTextual() && n.asText().equals(ENDPOINTS)) {
          if (scope == RuleScope.IP) {
            throw new RuleValidationException(
                field, "\"" + ENDPOINTS + "\" confirms endpoint rules only, not source IP ones");
          }
          if (confirmByEndpoints) {
            throw new RuleValidationException(field, ENDPOINTS + " is listed twice");
          }
          confirmByEndpoints = true;
          continue;
        }
        Metric m =
            Metric.fromWireName(n.isTextual() ? n.asText() : "")
                .orElseThrow(
                    () ->
                        new RuleValidationException(
                            field,
                            "unknown metric "
                                + n
                                + ", expected \""
                                + ENDPOINTS
                                + "\" or one of: "
                                + Metric.allWireNames()));
        if (m == metric) {
          throw new RuleValidationException(
              field, "is the rule's own metric: it cannot confirm itself");
        }
        if (scope == RuleScope.IP && !m.forSourceIps()) {
          throw new RuleValidationException(field, m.wireName() + " is not kept per source IP");
        }
        if (confirmWith.contains(m)) {
          throw new RuleValidationException(field, m.wireName() + " is listed twice");
        }
        confirmWith.add(m);
      }
    }
    int notifyLimit = 0;
    long notifyPerMs = 0;
    JsonNode limit = body.get("notify_limit");
    if (limit != null && !limit.isNull()) {
      if (!limit.isObject()) {
        throw new RuleValidationException(
            "notify_limit", "must be an object like {\"count\": 5, \"per\": \"1h\"}");
      }
      onlyFields(limit, "notify_limit", "count", "per");
      if (!limit.hasNonNull("count")) {
        throw new RuleValidationException("notify_limit.count", "is required");
      }
      notifyLimit = (int) wholeNumber(limit, "notify_limit.count", "count", 1, 1, 1000);
      notifyPerMs = duration(limit, "per", 3_600_000, "notify_limit.per");
      if (notifyPerMs < 60_000 || notifyPerMs > 86_400_000) {
        throw new RuleValidationException("notify_limit.per", "must be from 1m to 1d");
      }
    }
    Filters f =
        new Filters(
            flapChanges,
            flapWindowMs,
            mute,
            sameLastWeek,
            confirmWith,
            notifyLimit,
            notifyPerMs,
            confirmByEndpoints);
    return f.equals(Filters.DEFAULT) ? Filters.DEFAULT : f;
  }

  /** One entry of {@code mute}: {@code {from, to}} or {@code {days, times, timezone}}. */
  private static Filters.MuteTime muteTime(JsonNode n, String field) {
    if (n == null || !n.isObject()) {
      throw new RuleValidationException(
          field,
          "must be {\"from\": \"2026-12-24T02:00:00Z\", \"to\": ...} or {\"days\": [\"sat\", \"sun\"], \"times\": \"02:00-04:00\", \"timezone\": \"Asia/Shanghai\"}");
    }
    if (n.has("from") || n.has("to")) {
      onlyFields(n, field, "from", "to");
      long from = instant(n, "from", field);
      long to = instant(n, "to", field);
      if (to <= from) {
        throw new RuleValidationException(field + ".to", "must be after from");
      }
      if (to - from > MAX_MAINTENANCE_MS) {
        throw new RuleValidationException(
            field + ".to", "a maintenance window lasts at most 366 days");
      }
      return Filters.MuteTime.window(from, to);
    }
    onlyFields(n, field, "days", "times", "timezone");
    EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    JsonNode daysNode = n.get("days");
    if (daysNode != null && !daysNode.isNull()) {
      if (!daysNode.isArray() || daysNode.size() > 7) {
        throw new RuleValidationException(field + ".days", "must be a list of days (mon .. sun)");
      }
      for (JsonNode d : daysNode) {
        days.add(
            day(d.isTextual() ? d.asText() : "")
                .orElseThrow(
                    () ->
                        new RuleValidationException(
                            field + ".days",
                            "unknown day "
                                + d
                                + ", expected mon, tue, wed, thu, fri, sat or sun")));
      }
    }
    int start = 0;
    int end = 0;
    JsonNode times = n.get("times");
    if (times != null && !times.isNull()) {
      Matcher m = TIMES.matcher(times.isTextual() ? times.asText() : "");
      if (!m.matches()
          || Integer.parseInt(m.group(1)) > 24
          || Integer.parseInt(m.group(3)) > 24
          || Integer.parseInt(m.group(2)) > 59
          || Integer.parseInt(m.group(4)) > 59) {
        throw new RuleValidationException(
            field + ".times",
            "must be HH:MM-HH:MM, e.g. 02:00-04:00 (22:00-06:00 runs past midnight)");
      }
      start = (Integer.parseInt(m.group(1)) * 60 + Integer.parseInt(m.group(2))) % 1440;
      end = (Integer.parseInt(m.group(3)) * 60 + Integer.parseInt(m.group(4))) % 1440;
      if (start == end) {
        throw new RuleValidationException(
            field + ".times", "starts and ends at the same time; leave it out to mute whole days");
      }
    } else if (days.isEmpty()) {
      throw new RuleValidationException(
          field, "needs days or times (or from and to): it would mute the rule for good");
    }
    String zone = n.hasNonNull("timezone") ? n.get("timezone").asText("") : "UTC";
    try {
      if (zone.length() > 64) {
        throw new java.time.DateTimeException("too long");
      }
      ZoneId.of(zone);
    } catch (java.time.DateTimeException e) {
      throw new RuleValidationException(
          field + ".timezone",
          "unknown time zone '"
              + (zone.length() > 64 ? zone.substring(0, 64) + "..." : zone)
              + "', e.g. UTC or Asia/Shanghai");
    }
    return new Filters.MuteTime(0, 0, days, start, end, zone);
  }

  private static java.util.Optional<DayOfWeek> day(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (DayOfWeek d : DayOfWeek.values()) {
      String full = d.name().toLowerCase(Locale.ROOT);
      if (n.length() >= 3 && full.startsWith(n)) {
        return java.util.Optional.of(d);
      }
    }
    return java.util.Optional.empty();
  }

  private static long instant(JsonNode n, String name, String field) {
    JsonNode v = n.get(name);
    if (v == null || !v.isTextual()) {
      throw new RuleValidationException(
          field + "." + name, "is required: a time like 2026-12-24T02:00:00Z");
    }
    try {
      return java.time.OffsetDateTime.parse(v.asText()).toInstant().toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      throw new RuleValidationException(
          field + "." + name,
          "must be a time with an offset like 2026-12-24T02:00:00Z or 2026-12-24T10:00:00+08:00");
    }
  }

  /** A nested object holds no other keys than {@code names}. */
  private static void onlyFields(JsonNode n, String field, String... names) {
    for (var it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!java.util.Arrays.asList(names).contains(name)) {
        throw new RuleValidationException(
            field + "." + name, "unknown field; expected " + String.join(", ", names));
      }
    }
  }

  /** The fields every kind reads ({@code expression} is computed: ignored when sent back). */
  private static final Set<String> COMMON_FIELDS =
      Set.of(
          "id",
          "kind",
          "scope",
          "ip",
          "for",
          "cooldown",
          "keep_firing_for",
          "min_requests",
          "severity",
          "service",
          "endpoint",
          "description",
          "expression",
          "labels",
          "annotations",
          "flapping",
          "mute",
          "ignore_same_last_week",
          "confirm_with",
          "notify_limit");

  /**
   * The fields only some kinds read, and those kinds: a rule naming one of another kind gets a 400,
   * so that a setting never silently does nothing.
   */
  private static final Map<String, Set<RuleKind>> KIND_FIELDS =
      Map.ofEntries(
          Map.entry("op", EnumSet.of(RuleKind.THRESHOLD)),
          Map.entry("threshold", EnumSet.of(RuleKind.THRESHOLD, RuleKind.CHANGE)),
          Map.entry("recovery", EnumSet.of(RuleKind.THRESHOLD)),
          Map.entry("critical", EnumSet.of(RuleKind.THRESHOLD)),
          Map.entry("method", EnumSet.of(RuleKind.BASELINE)),
          Map.entry("k", EnumSet.of(RuleKind.BASELINE, RuleKind.FORECAST)),
          Map.entry("history", EnumSet.of(RuleKind.BASELINE)),
          Map.entry("min_samples", EnumSet.of(RuleKind.BASELINE)),
          Map.entry("min_spread", EnumSet.of(RuleKind.BASELINE)),
          Map.entry("min_spread_ratio", EnumSet.of(RuleKind.BASELINE)),
          Map.entry("direction", EnumSet.of(RuleKind.BASELINE, RuleKind.CHANGE, RuleKind.FORECAST)),
          Map.entry("compare_to", EnumSet.of(RuleKind.CHANGE)),
          Map.entry("mode", EnumSet.of(RuleKind.CHANGE)),
          Map.entry("step", EnumSet.of(RuleKind.FORECAST)),
          Map.entry("sensitivity", EnumSet.of(RuleKind.AUTO)),
          Map.entry(
              "metric",
              EnumSet.of(
                  RuleKind.THRESHOLD, RuleKind.BASELINE, RuleKind.CHANGE, RuleKind.FORECAST)),
          Map.entry(
              "window",
              EnumSet.of(
                  RuleKind.THRESHOLD, RuleKind.BASELINE, RuleKind.CHANGE, RuleKind.FORECAST)));

  private static Metric metric(JsonNode body) {
    String metricName = requiredText(body, "metric");
    return Metric.fromWireName(metricName)
        .orElseThrow(
            () ->
                new RuleValidationException(
                    "metric",
                    "unknown metric '"
                        + metricName
                        + "', expected one of: "
                        + Metric.allWireNames()));
  }

  /**
   * A level in the metric's unit: required or not, a finite number ≥ 0, at most 1 for a rate
   * ({@code metric} null: any such number).
   */
  private static double level(JsonNode body, String field, Metric metric, boolean required) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new RuleValidationException(field, "is required and must be a number");
      }
      return 0;
    }
    if (!n.isNumber() && required) {
      throw new RuleValidationException(field, "is required and must be a number");
    }
    if (!n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() < 0) {
      throw new RuleValidationException(field, "must be a finite number >= 0");
    }
    if (metric != null && metric.isRate() && n.asDouble() > 1) {
      throw new RuleValidationException(
          field, metric.wireName() + " is a fraction between 0 and 1");
    }
    return n.asDouble();
  }

  /** {@code k}, the width of a band in spreads: (0, 100], default 3. */
  private static double k(JsonNode body) {
    JsonNode n = body.get("k");
    if (n == null || n.isNull()) {
      return 3;
    }
    if (!n.isNumber() || !(n.asDouble() > 0 && n.asDouble() <= MAX_K)) {
      throw new RuleValidationException("k", "must be a number above 0, at most " + (int) MAX_K);
    }
    return n.asDouble();
  }

  private static Direction direction(JsonNode body, Direction defaultDirection) {
    String name = optionalText(body, "direction", defaultDirection.wireName());
    return Direction.fromWireName(name)
        .orElseThrow(
            () ->
                new RuleValidationException(
                    "direction", "unknown direction '" + name + "', expected up, down or both"));
  }

  private static long wholeNumber(
      JsonNode body, String field, long defaultValue, long min, long max) {
    return wholeNumber(body, field, field, defaultValue, min, max);
  }

  /** {@code body}'s {@code key}, named {@code field} in errors. */
  private static long wholeNumber(
      JsonNode body, String field, String key, long defaultValue, long min, long max) {
    JsonNode n = body.get(key);
    if (n == null || n.isNull()) {
      return Math.max(min, Math.min(defaultValue, max));
    }
    if (!n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
      throw new RuleValidationException(field, "must be a whole number from " + min + " to " + max);
    }
    return n.asLong();
  }

  /** {@code labels} or {@code annotations}: at most 16 string values under label-like keys. */
  private static Map<String, String> textMap(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      throw new RuleValidationException(field, "must be an object of strings");
    }
    if (n.size() > MAX_LABELS) {
      throw new RuleValidationException(field, "must have at most " + MAX_LABELS + " entries");
    }
    Map<String, String> out = new TreeMap<>();
    var it = n.fields();
    while (it.hasNext()) {
      var e = it.next();
      String path = field + "." + e.getKey();
      if (!LABEL_NAME.matcher(e.getKey()).matches()) {
        throw new RuleValidationException(path, "a name must match " + LABEL_NAME.pattern());
      }
      if (!e.getValue().isTextual()) {
        throw new RuleValidationException(path, "must be a string");
      }
      ObjectNode holder = Json.mapper().createObjectNode();
      holder.set(path, e.getValue());
      out.put(e.getKey(), optionalText(holder, path, ""));
    }
    return Map.copyOf(out);
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
   * {@code expression} (ignored when sent back). Keys a kind does not read are left out.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RuleView(
      String id,
      String kind,
      String metric,
      String op,
      Double threshold,
      String window,
      @JsonProperty("for") String forDuration,
      String cooldown,
      String severity,
      String service,
      String endpoint,
      String description,
      String expression,
      String scope,
      String ip,
      Double recovery,
      @JsonProperty("keep_firing_for") String keepFiringFor,
      @JsonProperty("min_requests") Long minRequests,
      Double critical,
      String method,
      Double k,
      String history,
      @JsonProperty("min_samples") Integer minSamples,
      @JsonProperty("min_spread") Double minSpread,
      @JsonProperty("min_spread_ratio") Double minSpreadRatio,
      String direction,
      @JsonProperty("compare_to") String compareTo,
      String mode,
      String step,
      String sensitivity,
      Map<String, String> labels,
      Map<String, String> annotations,
      Object flapping,
      List<Map<String, Object>> mute,
      @JsonProperty("ignore_same_last_week") Double ignoreSameLastWeek,
      @JsonProperty("confirm_with") List<String> confirmWith,
      @JsonProperty("notify_limit") Map<String, Object> notifyLimit) {

    public static RuleView of(ThresholdRule rule) {
      boolean ipScope = rule.scope() == RuleScope.IP;
      Detection d = rule.detection();
      var b = d instanceof Detection.Baseline x ? x : null;
      var c = d instanceof Detection.Change x ? x : null;
      var f = d instanceof Detection.Forecast x ? x : null;
      var a = d instanceof Detection.Auto x ? x : null;
      boolean threshold = d == null;
      return new RuleView(
          rule.id(),
          rule.kind().wireName(),
          rule.metric() == null ? null : rule.metric().wireName(),
          threshold ? rule.comparison().symbol() : null,
          threshold || c != null ? rule.threshold() : null,
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
          rule.minRequests() > 0 ? rule.minRequests() : null,
          rule.critical(),
          b != null ? b.method().wireName() : null,
          b != null ? (Double) b.k() : f != null ? (Double) f.k() : null,
          b != null ? formatDuration(b.historyMs()) : null,
          b != null ? b.minSamples() : null,
          b != null && b.minSpread() > 0 ? b.minSpread() : null,
          b != null && b.minSpreadRatio() > 0 ? b.minSpreadRatio() : null,
          d != null && a == null ? d.direction().wireName() : null,
          c != null ? formatDuration(c.offsetMs()) : null,
          c != null ? c.mode().wireName() : null,
          f != null ? formatDuration(f.stepMs()) : null,
          a != null ? a.sensitivity().wireName() : null,
          rule.labels().isEmpty() ? null : rule.labels(),
          rule.annotations().isEmpty() ? null : rule.annotations(),
          flappingView(rule.filters()),
          rule.filters().mute().isEmpty()
              ? null
              : rule.filters().mute().stream().map(RuleView::muteView).toList(),
          rule.filters().sameLastWeek(),
          confirmView(rule.filters()),
          rule.filters().notifyLimit() == 0
              ? null
              : orderedMap(
                  "count",
                  rule.filters().notifyLimit(),
                  "per",
                  formatDuration(rule.filters().notifyPerMs())));
    }

    /** {@code confirm_with} as given: the metrics, then {@code "endpoints"}; null when off. */
    private static List<String> confirmView(Filters f) {
      if (!f.needsConfirming()) {
        return null;
      }
      List<String> out = new ArrayList<>(f.confirmWith().stream().map(Metric::wireName).toList());
      if (f.confirmByEndpoints()) {
        out.add(ENDPOINTS);
      }
      return out;
    }

    /** Flapping as set, when not the default; {@code false} when off. */
    private static Object flappingView(Filters f) {
      if (f.flapChanges() == Filters.DEFAULT_FLAP_CHANGES
          && f.flapWindowMs() == Filters.DEFAULT_FLAP_WINDOW_MS) {
        return null;
      }
      return f.detectsFlapping()
          ? orderedMap("changes", f.flapChanges(), "within", formatDuration(f.flapWindowMs()))
          : Boolean.FALSE;
    }

    private static Map<String, Object> muteView(Filters.MuteTime m) {
      if (!m.recurring()) {
        return orderedMap(
            "from",
            java.time.Instant.ofEpochMilli(m.fromMs()).toString(),
            "to",
            java.time.Instant.ofEpochMilli(m.toMs()).toString());
      }
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      if (!m.days().isEmpty()) {
        out.put(
            "days",
            m.days().stream()
                .sorted()
                .map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT))
                .toList());
      }
      if (m.startMinute() != m.endMinute()) {
        out.put(
            "times",
            String.format(
                Locale.ROOT,
                "%02d:%02d-%02d:%02d",
                m.startMinute() / 60,
                m.startMinute() % 60,
                m.endMinute() / 60,
                m.endMinute() % 60));
      }
      out.put("timezone", m.zone());
      return out;
    }

    private static Map<String, Object> orderedMap(String k1, Object v1, String k2, Object v2) {
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      out.put(k1, v1);
      out.put(k2, v2);
      return out;
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
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
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
    return duration(body, field, defaultMs, field);
  }

  /** {@code body}'s {@code key}, named {@code field} in errors. */
  private static long duration(JsonNode body, String key, long defaultMs, String field) {
    JsonNode node = body.get(key);
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
