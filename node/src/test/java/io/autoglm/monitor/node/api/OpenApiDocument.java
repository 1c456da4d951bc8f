package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenAPI document as tests read it, and a check of a real answer against the schema the
 * document gives it: types, {@code nullable}, {@code required}, {@code enum}, and no property the
 * document does not name (unless the schema allows more). Enough of OpenAPI 3.0's schema object for
 * this document: {@code $ref}, {@code oneOf}, {@code allOf}, objects, arrays and scalars.
 */
public final class OpenApiDocument {
  private final JsonNode document;

  private OpenApiDocument(JsonNode document) {
    this.document = document;
  }

  /** The document the node serves. */
  public static OpenApiDocument load() {
    try {
      return new OpenApiDocument(Json.mapper().readTree(OpenApiRoutes.load()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonNode json() {
    return document;
  }

  /**
   * The schema of the answer {@code status} of {@code method template} with a JSON body, or a
   * missing node.
   */
  public JsonNode answerSchema(String method, String template, int status) {
    JsonNode response =
        resolve(
            document
                .path("paths")
                .path(template)
                .path(method.toLowerCase(Locale.ROOT))
                .path("responses")
                .path(Integer.toString(status)));
    return response.path("content").path("application/json").path("schema");
  }

  /** How {@code value} differs from {@code schema}; empty when it fits. */
  public List<String> check(JsonNode value, JsonNode schema) {
    List<String> errors = new ArrayList<>();
    check(value, schema, "$", errors);
    return errors;
  }

  private JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    return ref == null ? node : resolve(document.at(ref.asText().substring(1)));
  }

  private void check(JsonNode value, JsonNode schemaOrRef, String at, List<String> errors) {
    JsonNode schema = resolve(schemaOrRef);
    if (value.isNull()) {
      if (schema.has("type") && !schema.path("nullable").asBoolean(false)) {
        errors.add(at + ": null, but not nullable in the document");
      }
      return;
    }
    if (schema.has("oneOf")) {
      List<String> tried = new ArrayList<>();
      for (JsonNode option : schema.get("oneOf")) {
        List<String> e = new ArrayList<>();
        check(value, option, at, e);
        if (e.isEmpty()) {
          return;
        }
        tried.addAll(e);
      }
      errors.add(at + ": fits none of oneOf: " + tried);
      return;
    }
    for (JsonNode part : schema.path("allOf")) {
      check(value, part, at, errors);
    }
    String type = schema.path("type").asText("");
    switch (type) {
      case "object" -> checkObject(value, schema, at, errors);
      case "array" -> {
        if (!value.isArray()) {
          errors.add(at + ": " + kind(value) + ", the document says array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(value.get(i), schema.path("items"), at + "[" + i + "]", errors);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          errors.add(at + ": " + kind(value) + ", the document says string");
        } else if (schema.has("enum")) {
          boolean listed = false;
          for (JsonNode e : schema.get("enum")) {
            listed |= e.asText().equals(value.asText());
          }
          if (!listed) {
            errors.add(at + ": '" + value.asText() + "' is not in " + schema.get("enum"));
          }
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          errors.add(at + ": " + kind(value) + ", the document says integer");
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          errors.add(at + ": " + kind(value) + ", the document says number");
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(at + ": " + kind(value) + ", the document says boolean");
        }
      }
      default -> {
        // no type: any value
      }
    }
  }

  private void checkObject(JsonNode value, JsonNode schema, String at, List<String> errors) {
    if (!value.isObject()) {
      errors.add(at + ": " + kind(value) + ", the document says object");
      return;
    }
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        errors.add(at + ": required '" + required.asText() + "' is missing");
      }
    }
    JsonNode properties = schema.path("properties");
    JsonNode more = schema.get("additionalProperties");
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String path = at + "." + f.getKey();
      if (properties.has(f.getKey())) {
        check(f.getValue(), properties.get(f.getKey()), path, errors);
      } else if (more != null && more.isObject()) {
        check(f.getValue(), more, path, errors);
      } else if (properties.size() > 0 && (more == null || !more.asBoolean(true))) {
        // an answer's schema names every key the record writes
        errors.add(path + ": not in the document");
      }
    }
  }

  private static String kind(JsonNode value) {
    return value.getNodeType().name().toLowerCase(Locale.ROOT) + " " + abbreviated(value);
  }

  private static String abbreviated(JsonNode value) {
    String s = value.toString();
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
