package io.autoglm.monitor.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleValidationException;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code autoglm.rules.install}: the rules a node creates or updates in the rule book at start
 * (from the configuration file's {@code rules} and {@code alert_rules}, or given in HOCON), read
 * and validated as the node starts; an invalid one stops the start, naming the key and field.
 */
final class ConfiguredRules {
  static final String KEY = "autoglm.rules.install";

  private ConfiguredRules() {}

  static List<ThresholdRule> fromConfig(Config config, long maxWindowMs) {
    List<ThresholdRule> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    List<? extends ConfigValue> list = config.getList(KEY);
    int max = config.getInt("autoglm.rules.max-rules");
    if (list.size() > max) {
      throw new IllegalArgumentException(
          KEY + ": " + list.size() + " rules, more than autoglm.rules.max-rules (" + max + ")");
    }
    for (int i = 0; i < list.size(); i++) {
      String where = KEY + "[" + i + "]";
      JsonNode body;
      try {
        body = Json.mapper().readTree(list.get(i).render(ConfigRenderOptions.concise()));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(where + ": not a rule: " + e.getMessage(), e);
      }
      JsonNode id = body.get("id");
      if (id == null || !id.isTextual()) {
        throw new IllegalArgumentException(where + ".id: is required");
      }
      ThresholdRule rule;
      try {
        rule = RuleCodec.parse(body, id.asText());
      } catch (RuleValidationException e) {
        throw new IllegalArgumentException(where + "." + e.field() + ": " + e.reason(), e);
      }
      if (rule.windowMs() > maxWindowMs) {
        throw new IllegalArgumentException(
            where
                + ".window: must be at most "
                + RuleCodec.formatDuration(maxWindowMs)
                + " (autoglm.stats.max-window)");
      }
      if (!ids.add(rule.id())) {
        throw new IllegalArgumentException(where + ".id: '" + rule.id() + "' given twice");
      }
      out.add(rule);
    }
    return List.copyOf(out);
  }
}
