package io.autoglm.monitor.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.autoglm.monitor.protocols.document.DocumentException;
import io.autoglm.monitor.protocols.document.LocatedDocument;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RulesDocument;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.catalog.PathTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration file of {@code ./autoglm start --config FILE} (or {@code AUTOGLM_CONFIG}), in
 * YAML (or JSON), mapped onto the node's HOCON configuration. Sections:
 *
 * <ul>
 *   <li>{@code metrics} (the article's): {@code interval} → {@code autoglm.stats.window}, the
 *       window of rules that name none; {@code endpoints} → {@code
 *       autoglm.stats.endpoints.templates."*"}, the path templates of every service;
 *   <li>{@code alert_rules} (the article's) and {@code rules} → {@code autoglm.rules.install}: the
 *       rules the node creates or updates at start ({@link RulesDocument});
 *   <li>{@code receivers} → {@code autoglm.notifier.receivers}, {@code route} → {@code
 *       autoglm.notifier.route};
 *   <li>{@code tokens}: {@code admin_token} (better {@code admin_token_file}) → {@code
 *       autoglm.auth.admin-token};
 *   <li>{@code autoglm}, {@code pekko}: any key of the node's configuration, as nested mappings
 *       ({@code autoglm: {http: {port: 8081}}}); these win over the short forms above.
 * </ul>
 *
 * Secrets by reference: in {@code receivers}, {@code route}, {@code tokens}, {@code autoglm} and
 * {@code pekko}, a key {@code NAME_file: PATH} stands for {@code NAME} with the contents of the
 * file at {@code PATH} (relative to the configuration file, trailing newline dropped), so the file
 * itself holds no secret.
 *
 * <p>Precedence at start: {@code -D} system properties, then this file, then environment variables
 * and the built-in defaults.
 */
public final class ConfigFile {
  /** The largest configuration file, and the largest file a {@code _file} key reads. */
  static final long MAX_BYTES = 4L << 20;

  static final long MAX_SECRET_BYTES = 64L << 10;

  private static final String FILE_SUFFIX = "_file";

  private ConfigFile() {}

  /** Reads {@code file} as a HOCON config (unresolved; to put over the node's defaults). */
  public static Config load(Path file) throws DocumentException {
    String source = file.toString();
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new DocumentException(source, 0, "$", "larger than " + (MAX_BYTES >> 20) + " MB");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DocumentException(source, 0, "$", "cannot be read: " + e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return read(
        LocatedDocument.parse(
            source, bytes, LocatedDocument.Format.ofFileName(file.getFileName().toString())),
        dir);
  }

  /** The node configuration {@code doc} gives; {@code _file} paths are relative to {@code dir}. */
  public static Config read(LocatedDocument doc, Path dir) throws DocumentException {
    JsonNode root = doc.root();
    if (!root.isObject()) {
      throw doc.error("", "$", "must be a mapping of sections (metrics, alert_rules, rules, ...)");
    }
    Config out = ConfigFactory.empty();
    boolean hasRules = root.has("rules") || root.has("alert_rules");
    if (!hasRules) {
      // no rules: the sections are still checked (an unknown one is an error)
      for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!key.equals("metrics") && !RulesDocument.NODE_SECTIONS.contains(key)) {
          throw doc.error(
              "/" + key,
              key,
              "unknown section; expected metrics, alert_rules, rules, "
                  + String.join(", ", new java.util.TreeSet<>(RulesDocument.NODE_SECTIONS)));
        }
      }
    }
    JsonNode metrics = root.get("metrics");
    if (metrics != null && !metrics.isNull()) {
      if (!metrics.isObject()) {
        throw doc.error("/metrics", "metrics", "must be a mapping");
      }
      for (Iterator<String> it = metrics.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!Set.of("interval", "endpoints").contains(key)) {
          throw doc.error(
              "/metrics/" + key, "metrics." + key, "unknown key; expected endpoints, interval");
        }
      }
      JsonNode interval = metrics.get("interval");
      if (interval != null && !interval.isNull()) {
        out =
            out.withValue(
                "autoglm.stats.window", ConfigValueFactory.fromAnyRef(window(doc, interval)));
      }
      JsonNode endpoints = metrics.get("endpoints");
      if (endpoints != null && !endpoints.isNull()) {
        out =
            out.withValue(
                "autoglm.stats.endpoints.templates",
                ConfigValueFactory.fromMap(Map.of("*", templates(doc, endpoints))));
      }
    }
    if (hasRules) {
      List<Map<String, Object>> install = new ArrayList<>();
      for (ThresholdRule rule : RulesDocument.read(doc, RulesDocument.MAX_RULES).rules()) {
        ObjectNode json = RuleCodec.toJson(rule);
        json.remove("expression");
        install.add(asMap(json));
      }
      out = out.withValue("autoglm.rules.install", ConfigValueFactory.fromIterable(install));
    }
    JsonNode receivers = resolved(doc, "receivers", dir);
    if (receivers != null) {
      if (!receivers.isArray()) {
        throw doc.error("/receivers", "receivers", "must be a list of receivers");
      }
      out =
          out.withValue(
              "autoglm.notifier.receivers",
              ConfigValueFactory.fromIterable(Json.mapper().convertValue(receivers, List.class)));
    }
    JsonNode route = resolved(doc, "route", dir);
    if (route != null) {
      if (!route.isObject()) {
        throw doc.error("/route", "route", "must be a mapping (the routing tree's root)");
      }
      out = out.withValue("autoglm.notifier.route", ConfigValueFactory.fromMap(asMap(route)));
    }
    JsonNode silences = doc.root().get("silences");
    if (silences != null && !silences.isNull()) {
      if (!silences.isArray()) {
        throw doc.error("/silences", "silences", "must be a list of silences");
      }
      if (silences.size() > ConfiguredSilences.MAX) {
        throw doc.error("/silences", "silences", "at most " + ConfiguredSilences.MAX + " silences");
      }
      java.time.Instant now = java.time.Instant.now();
      for (int i = 0; i < silences.size(); i++) {
        try {
          ConfiguredSilences.parse(silences.get(i), "silences[" + i + "]", now);
        } catch (IllegalArgumentException e) {
          String message = e.getMessage();
          String field = message.substring(0, message.indexOf(':'));
          // the field inside the silence: "endsAt", "matchers[1].name"
          String inner = field.substring(("silences[" + i + "]").length() + 1);
          throw doc.error(
              LocatedDocument.pointerOf("/silences/" + i, inner),
              field,
              message.substring(message.indexOf(':') + 2));
        }
      }
      out =
          out.withValue(
              ConfiguredSilences.KEY,
              ConfigValueFactory.fromIterable(Json.mapper().convertValue(silences, List.class)));
    }
    JsonNode tokens = resolved(doc, "tokens", dir);
    if (tokens != null) {
      if (!tokens.isObject()) {
        throw doc.error("/tokens", "tokens", "must be a mapping");
      }
      for (Iterator<String> it = tokens.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!key.equals("admin_token")) {
          throw doc.error(
              "/tokens/" + key,
              "tokens." + key,
              "unknown key; expected admin_token_file or admin_token");
        }
      }
      JsonNode admin = tokens.get("admin_token");
      if (admin != null && !admin.isNull()) {
        if (!admin.isTextual()) {
          throw doc.error("/tokens/admin_token", "tokens.admin_token", "must be a string");
        }
        out =
            out.withValue(
                "autoglm.auth.admin-token", ConfigValueFactory.fromAnyRef(admin.asText()));
      }
    }
    for (String section : List.of("autoglm", "pekko")) {
      JsonNode keys = resolved(doc, section, dir);
      if (keys != null) {
        if (!keys.isObject()) {
          throw doc.error(
              "/" + section, section, "must be a mapping of the node's configuration keys");
        }
        out =
            ConfigFactory.empty()
                .withValue(section, ConfigValueFactory.fromMap(asMap(keys)))
                .withFallback(out);
      }
    }
    return out;
  }

  /** The node's configuration with {@code file} over it, as {@code ConfigFactory.load()} reads. */
  public static Config loadOverDefaults(Path file) throws DocumentException {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.load(load(file).withFallback(ConfigFactory.defaultApplication()));
  }

  private static String window(LocatedDocument doc, JsonNode interval) throws DocumentException {
    long ms;
    try {
      ms =
          interval.isNumber()
              ? Math.round(interval.asDouble() * 1000)
              : RuleCodec.parseDuration(interval.asText());
    } catch (IllegalArgumentException e) {
      throw doc.error("/metrics/interval", "metrics.interval", e.getMessage());
    }
    if (ms < 1000 || ms % 1000 != 0) {
      throw doc.error(
          "/metrics/interval",
          "metrics.interval",
          "must be a whole number of seconds, at least 1s");
    }
    return RuleCodec.formatDuration(ms);
  }

  private static List<String> templates(LocatedDocument doc, JsonNode endpoints)
      throws DocumentException {
    if (!endpoints.isArray()) {
      throw doc.error(
          "/metrics/endpoints", "metrics.endpoints", "must be a list of paths like /v1/generate");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      JsonNode e = endpoints.get(i);
      String field = "metrics.endpoints[" + i + "]";
      if (!e.isTextual()) {
        throw doc.error("/metrics/endpoints/" + i, field, "must be a path like /v1/generate");
      }
      try {
        PathTemplate.parse(e.asText());
      } catch (IllegalArgumentException x) {
        throw doc.error("/metrics/endpoints/" + i, field, x.getMessage());
      }
      out.add(e.asText());
    }
    return out;
  }

  /** Section {@code name} with its {@code _file} keys replaced by the files' contents; or null. */
  private static JsonNode resolved(LocatedDocument doc, String name, Path dir)
      throws DocumentException {
    JsonNode n = doc.root().get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    return withFiles(doc, n.deepCopy(), "/" + name, name, dir);
  }

  private static JsonNode withFiles(
      LocatedDocument doc, JsonNode n, String pointer, String field, Path dir)
      throws DocumentException {
    if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, withFiles(doc, a.get(i), pointer + "/" + i, field + "[" + i + "]", dir));
      }
    } else if (n instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String key : names) {
        String childPointer = pointer + "/" + key;
        String childField = field + "." + key;
        JsonNode value = o.get(key);
        if (key.endsWith(FILE_SUFFIX) && key.length() > FILE_SUFFIX.length()) {
          String target = key.substring(0, key.length() - FILE_SUFFIX.length());
          if (o.has(target)) {
            throw doc.error(
                childPointer, childField, "give " + target + " or " + key + ", not both");
          }
          if (!value.isTextual()) {
            throw doc.error(childPointer, childField, "must be the path of a file");
          }
          o.remove(key);
          o.put(target, secret(doc, childPointer, childField, dir.resolve(value.asText())));
        } else {
          o.set(key, withFiles(doc, value, childPointer, childField, dir));
        }
      }
    }
    return n;
  }

  private static String secret(LocatedDocument doc, String pointer, String field, Path file)
      throws DocumentException {
    try {
      if (Files.size(file) > MAX_SECRET_BYTES) {
        throw doc.error(pointer, field, file + " is larger than 64 KB");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return text.replaceFirst("\\r?\\n$", "");
    } catch (IOException e) {
      throw doc.error(pointer, field, "cannot read " + file + ": " + e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(JsonNode n) {
    return Json.mapper().convertValue(n, Map.class);
  }
}
