package io.autoglm.monitor.tools.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleValidationException;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A file of rules, YAML or JSON: {@code rules:} a list of rules as {@code PUT /api/v1/rules/{id}}
 * takes them, each with its {@code id}. Every rule is validated as the API validates it; an error
 * names the file, the rule and the field.
 *
 * <pre>{@code
 * rules:
 *   - id: chat-errors
 *     kind: baseline
 *     metric: error_rate
 *     method: mad
 *     endpoint: /v1/chat/*
 *   - id: auto
 *     kind: auto
 * }</pre>
 */
public final class RulesFile {
  /** The largest rules file read. */
  static final long MAX_BYTES = 4L << 20;

  /** The most rules a file holds. */
  static final int MAX_RULES = 10_000;

  private RulesFile() {}

  /** A rules file that is not valid: the message names the file, the rule and the field. */
  public static final class InvalidRulesException extends Exception {
    InvalidRulesException(String message) {
      super(message);
    }
  }

  public static List<ThresholdRule> read(Path file) throws IOException, InvalidRulesException {
    if (Files.size(file) > MAX_BYTES) {
      throw new InvalidRulesException(file + ": larger than " + (MAX_BYTES >> 20) + " MB");
    }
    String name = file.getFileName().toString();
    ObjectMapper mapper =
        name.endsWith(".json") ? Json.mapper() : new YAMLMapper(new YAMLFactory());
    JsonNode root;
    try {
      root = mapper.readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidRulesException(
          file
              + ": not valid "
              + (name.endsWith(".json") ? "JSON" : "YAML")
              + ": "
              + e.getOriginalMessage()
              + " (line "
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + ")");
    }
    JsonNode list = root == null ? null : root.get("rules");
    if (list == null || !list.isArray()) {
      throw new InvalidRulesException(file + ": expected a list under \"rules\"");
    }
    if (list.size() > MAX_RULES) {
      throw new InvalidRulesException(file + ": more than " + MAX_RULES + " rules");
    }
    List<ThresholdRule> rules = new ArrayList<>(list.size());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode r = list.get(i);
      JsonNode id = r.get("id");
      String where =
          file
              + ": rule "
              + (i + 1)
              + (id != null && id.isTextual() ? " (" + id.asText() + ")" : "");
      if (id == null || !id.isTextual()) {
        throw new InvalidRulesException(where + ": field id: is required");
      }
      try {
        rules.add(RuleCodec.parse(r, id.asText()));
      } catch (RuleValidationException e) {
        throw new InvalidRulesException(where + ": field " + e.field() + ": " + e.reason());
      }
      if (!ids.add(id.asText())) {
        throw new InvalidRulesException(where + ": field id: '" + id.asText() + "' appears twice");
      }
    }
    return List.copyOf(rules);
  }
}
