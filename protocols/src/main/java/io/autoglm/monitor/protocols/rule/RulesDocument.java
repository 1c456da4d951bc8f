package io.autoglm.monitor.protocols.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.document.DocumentException;
import io.autoglm.monitor.protocols.document.LocatedDocument;
import io.autoglm.monitor.protocols.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of a rules file or configuration file (YAML or JSON): what {@code ./autoglm rules apply
 * -f}, {@code PUT /api/v1/rules}, {@code ./autoglm start --config} and backtests read.
 *
 * <p>Two forms, which may be combined:
 *
 * <ul>
 *   <li>{@code rules:} a list of rules, each as {@code PUT /api/v1/rules/{id}} takes it plus its
 *       {@code id} (every kind: threshold, baseline, change, forecast, auto);
 *   <li>the article's {@code alert_rules:} ({@code qps_threshold}, {@code error_rate}, {@code
 *       cooldown} in seconds) over the article's {@code metrics:} ({@code interval}: the rules'
 *       window; {@code endpoints}: the endpoints they watch). Each becomes one threshold rule per
 *       endpoint listed, {@code qps-threshold-<path>} ({@code qps > qps_threshold}) and {@code
 *       error-rate-<path>} ({@code error_rate > error_rate}), with the cooldown; without {@code
 *       endpoints}, one rule of each on every endpoint ({@code qps-threshold}, {@code error-rate}).
 * </ul>
 *
 * The other sections of the configuration file ({@link #NODE_SECTIONS}) configure a node at start
 * and are ignored here (listed in {@link Parsed#ignored}); any other top-level key is an error, so
 * a typo is not silently dropped. Errors name the file, the line and the field: {@code
 * rules.yaml:7: rules[2].threshold: must be a number}.
 */
public final class RulesDocument {
  /** The most rules a document may hold (a node may allow fewer: autoglm.rules.max-rules). */
  public static final int MAX_RULES = 10_000;

  /** Sections of the configuration file that are node configuration, not rules. */
  public static final Set<String> NODE_SECTIONS =
      Set.of("autoglm", "pekko", "receivers", "route", "silences", "tokens");

  /** The article's QPS rule (per endpoint: {@code qps-threshold-v1-generate}). */
  public static final String QPS_RULE = "qps-threshold";

  /** The article's error rate rule. */
  public static final String ERROR_RATE_RULE = "error-rate";

  private static final Set<String> RULE_SECTIONS = Set.of("rules", "metrics", "alert_rules");
  private static final Set<String> METRICS_KEYS = Set.of("interval", "endpoints");
  private static final Set<String> ALERT_RULES_KEYS =
      Set.of("qps_threshold", "error_rate", "cooldown");

  private RulesDocument() {}

  /** The rules of a document, and the node sections it holds that were not read. */
  public record Parsed(List<ThresholdRule> rules, List<String> ignored) {
    public Parsed {
      rules = List.copyOf(rules);
      ignored = List.copyOf(ignored);
    }
  }

  /** Reads {@code bytes} as {@code format}; {@code source} names it in errors. */
  public static Parsed parse(
      String source, byte[] bytes, LocatedDocument.Format format, int maxRules)
      throws DocumentException {
    return read(LocatedDocument.parse(source, bytes, format), maxRules);
  }

  /**
   * As {@link #read(LocatedDocument, int)}, refusing windows longer than {@code maxWindowMs} (a
   * node's {@code autoglm.stats.max-window}), naming the field.
   */
  public static Parsed read(LocatedDocument doc, int maxRules, long maxWindowMs)
      throws DocumentException {
    Parsed parsed = read(doc, maxRules);
    JsonNode list = doc.root().get("rules");
    int fromList = list == null || !list.isArray() ? 0 : list.size();
    int article = parsed.rules().size() - fromList;
    for (int i = 0; i < parsed.rules().size(); i++) {
      ThresholdRule r = parsed.rules().get(i);
      if (r.windowMs() > maxWindowMs) {
        String reason =
            "must be at most "
                + RuleCodec.formatDuration(maxWindowMs)
                + " (autoglm.stats.max-window), got "
                + RuleCodec.formatDuration(r.windowMs());
        throw i < article
            ? doc.error("/metrics/interval", "metrics.interval", reason)
            : doc.error(
                "/rules/" + (i - article) + "/window",
                "rules[" + (i - article) + "].window",
                reason);
      }
    }
    return parsed;
  }

  /**
   * The rules of {@code doc}: it must hold {@code rules} or {@code alert_rules} ({@code rules: []}
   * is an empty rule set), at most {@code maxRules} of them.
   */
  public static Parsed read(LocatedDocument doc, int maxRules) throws DocumentException {
    JsonNode root = doc.root();
    if (!root.isObject()) {
      throw doc.error("", "$", "must be a mapping with a 'rules' list or 'alert_rules'");
    }
    List<String> ignored = new ArrayList<>();
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (NODE_SECTIONS.contains(key)) {
        ignored.add(key);
      } else if (!RULE_SECTIONS.contains(key)) {
        throw doc.error(
            "/" + key,
            key,
            "unknown section; expected rules, metrics, alert_rules, or the node's "
                + String.join(", ", new java.util.TreeSet<>(NODE_SECTIONS)));
      }
    }
    if (!root.has("rules") && !root.has("alert_rules")) {
      throw doc.error(
          "", "rules", "is required: a list of rules (or the article's alert_rules section)");
    }
    List<ThresholdRule> rules = new ArrayList<>(articleRules(doc));
    JsonNode list = root.get("rules");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw doc.error("/rules", "rules", "must be a list of rules");
      }
      if (list.size() + rules.size() > Math.min(maxRules, MAX_RULES)) {
        throw doc.error(
            "/rules", "rules", "must hold at most " + Math.min(maxRules, MAX_RULES) + " rules");
      }
      for (int i = 0; i < list.size(); i++) {
        rules.add(rule(doc, list.get(i), i));
      }
    }
    if (rules.size() > Math.min(maxRules, MAX_RULES)) {
      throw doc.error("", "rules", "must hold at most " + Math.min(maxRules, MAX_RULES) + " rules");
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      String id = rules.get(i).id();
      if (!ids.add(id)) {
        int inList = i - (rules.size() - (list == null ? 0 : list.size()));
        throw inList >= 0
            ? doc.error(
                "/rules/" + inList + "/id", "rules[" + inList + "].id", "'" + id + "' given twice")
            : doc.error("/alert_rules", "alert_rules", "makes rule '" + id + "' twice");
      }
    }
    return new Parsed(rules, ignored);
  }

  private static ThresholdRule rule(LocatedDocument doc, JsonNode r, int i)
      throws DocumentException {
    String base = "/rules/" + i;
    String name = "rules[" + i + "]";
    if (r == null || !r.isObject()) {
      throw doc.error(base, name, "must be a mapping (a rule)");
    }
    JsonNode id = r.get("id");
    if (id == null || id.isNull()) {
      throw doc.error(base, name + ".id", "is required");
    }
    if (!id.isTextual() || !RuleCodec.ID.matcher(id.asText()).matches()) {
      throw doc.error(base + "/id", name + ".id", "must match " + RuleCodec.ID.pattern());
    }
    try {
      return RuleCodec.parse(r, id.asText());
    } catch (RuleValidationException e) {
      throw doc.error(
          LocatedDocument.pointerOf(base, e.field()), name + "." + e.field(), e.reason());
    }
  }

  /** The article's {@code alert_rules} over its {@code metrics}, as threshold rules. */
  private static List<ThresholdRule> articleRules(LocatedDocument doc) throws DocumentException {
    JsonNode root = doc.root();
    JsonNode metrics = section(doc, "metrics", METRICS_KEYS);
    JsonNode alertRules = section(doc, "alert_rules", ALERT_RULES_KEYS);
    if (alertRules == null) {
      return List.of();
    }
    JsonNode interval = metrics == null ? null : metrics.get("interval");
    List<String> endpoints = endpoints(doc, metrics);
    JsonNode cooldown = alertRules.get("cooldown");
    List<ThresholdRule> out = new ArrayList<>();
    for (String endpoint : endpoints.isEmpty() ? List.of("*") : endpoints) {
      int e = endpoints.indexOf(endpoint);
      if (alertRules.hasNonNull("qps_threshold")) {
        out.add(
            articleRule(
                doc,
                QPS_RULE,
                "qps",
                alertRules.get("qps_threshold"),
                "qps_threshold",
                interval,
                cooldown,
                endpoint,
                e,
                "alert_rules.qps_threshold: QPS of "
                    + endpoint
                    + " over the threshold (the article's single-instance limit; counted over"
                    + " every instance reporting the endpoint)"));
      }
      if (alertRules.hasNonNull("error_rate")) {
        JsonNode rate = alertRules.get("error_rate");
        if (!rate.isNumber() || !(rate.asDouble() > 0 && rate.asDouble() <= 1)) {
          throw doc.error(
              "/alert_rules/error_rate",
              "alert_rules.error_rate",
              "must be a fraction above 0, at most 1 (0.05 is 5 %)");
        }
        out.add(
            articleRule(
                doc,
                ERROR_RATE_RULE,
                "error_rate",
                rate,
                "error_rate",
                interval,
                cooldown,
                endpoint,
                e,
                "alert_rules.error_rate: error rate of " + endpoint + " over the threshold"));
      }
    }
    return out;
  }

  private static ThresholdRule articleRule(
      LocatedDocument doc,
      String prefix,
      String metric,
      JsonNode threshold,
      String key,
      JsonNode interval,
      JsonNode cooldown,
      String endpoint,
      int endpointIndex,
      String description)
      throws DocumentException {
    String id = endpoint.equals("*") ? prefix : prefix + "-" + slug(endpoint);
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("metric", metric).put("op", ">").set("threshold", threshold);
    if (interval != null) {
      body.set("window", interval);
    }
    if (cooldown != null) {
      body.set("cooldown", cooldown);
    }
    body.put("endpoint", endpoint).put("description", description);
    try {
      return RuleCodec.parse(body, id);
    } catch (RuleValidationException e) {
      String pointer;
      String field;
      switch (e.field()) {
        case "window" -> {
          pointer = "/metrics/interval";
          field = "metrics.interval";
        }
        case "cooldown" -> {
          pointer = "/alert_rules/cooldown";
          field = "alert_rules.cooldown";
        }
        case "endpoint" -> {
          pointer = "/metrics/endpoints/" + endpointIndex;
          field = "metrics.endpoints[" + endpointIndex + "]";
        }
        case "id" -> {
          pointer = "/metrics/endpoints/" + endpointIndex;
          field = "metrics.endpoints[" + endpointIndex + "]";
        }
        default -> {
          pointer = "/alert_rules/" + key;
          field = "alert_rules." + key;
        }
      }
      throw doc.error(pointer, field, e.reason());
    }
  }

  /** {@code /v1/chat/completions} → {@code v1-chat-completions}, fit for a rule id. */
  static String slug(String path) {
    String s = path.replaceAll("[^A-Za-z0-9._]+", "-").replaceAll("^-+|-+$", "");
    s = s.isEmpty() ? "root" : s;
    return s.length() > 48 ? s.substring(0, 48) : s;
  }

  private static List<String> endpoints(LocatedDocument doc, JsonNode metrics)
      throws DocumentException {
    JsonNode list = metrics == null ? null : metrics.get("endpoints");
    if (list == null || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw doc.error(
          "/metrics/endpoints", "metrics.endpoints", "must be a list of paths like /v1/generate");
    }
    if (list.size() > 100) {
      throw doc.error("/metrics/endpoints", "metrics.endpoints", "must list at most 100 paths");
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      String field = "metrics.endpoints[" + i + "]";
      if (!e.isTextual() || !e.asText().startsWith("/") || e.asText().length() > 512) {
        throw doc.error(
            "/metrics/endpoints/" + i,
            field,
            "must be a path starting with '/', e.g. /v1/generate");
      }
      if (!out.add(e.asText())) {
        throw doc.error("/metrics/endpoints/" + i, field, "'" + e.asText() + "' listed twice");
      }
    }
    Set<String> slugs = new HashSet<>();
    int i = 0;
    for (String e : out) {
      if (!slugs.add(slug(e))) {
        throw doc.error(
            "/metrics/endpoints/" + i,
            "metrics.endpoints[" + i + "]",
            "'" + e + "' makes the same rule id as an endpoint before it");
      }
      i++;
    }
    return List.copyOf(out);
  }

  /** The mapping under {@code name}, null if absent; only {@code keys} in it. */
  private static JsonNode section(LocatedDocument doc, String name, Set<String> keys)
      throws DocumentException {
    JsonNode n = doc.root().get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw doc.error("/" + name, name, "must be a mapping");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!keys.contains(key)) {
        throw doc.error(
            "/" + name + "/" + key,
            name + "." + key,
            "unknown key; expected " + String.join(", ", new java.util.TreeSet<>(keys)));
      }
    }
    return n;
  }
}
