package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.node.auth.ApiTokens;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAPI 3.0 schemas of answer records, derived the way the shared {@link Json} mapper writes
 * them: its property names ({@code @JsonProperty}), its types, and {@code required} for every
 * property that is always on the wire (no {@code @JsonInclude} that leaves it out). A nested record
 * becomes a {@code $ref} to a schema of its own, named by {@link #nameOf}. Each schema carries
 * {@code x-autoglm-record}, the class it is derived from, so the spec test can check the document's
 * schemas against the records both ways.
 */
final class RecordSchemas {
  static final String RECORD = "x-autoglm-record";
  private static final ObjectMapper MAPPER = Json.mapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Names that the nesting rule would make long or vague. */
  private static final Map<Class<?>, String> NAMES =
      Map.of(
          IpStats.IpList.class, "IpList",
          SilenceRoutes.Created.class, "SilenceCreated",
          ApiTokens.Created.class, "TokenCreated",
          ApiTokens.Listed.class, "Token");

  private final Map<String, ObjectNode> schemas = new LinkedHashMap<>();
  private final Map<String, Class<?>> named = new LinkedHashMap<>();

  /** The schemas of {@code roots} and of every record they hold, by name. */
  static Map<String, ObjectNode> of(Class<?>... roots) {
    RecordSchemas s = new RecordSchemas();
    for (Class<?> root : roots) {
      s.refTo(MAPPER.constructType(root));
    }
    return s.schemas;
  }

  /**
   * A record's schema name: its simple name, or for a record nested in another record the outer
   * one's name before it ({@code WindowView.Latency}: {@code WindowViewLatency}).
   */
  static String nameOf(Class<?> type) {
    String fixed = NAMES.get(type);
    if (fixed != null) {
      return fixed;
    }
    Class<?> outer = type.getEnclosingClass();
    return outer != null && outer.isRecord()
        ? nameOf(outer) + type.getSimpleName()
        : type.getSimpleName();
  }

  private ObjectNode refTo(JavaType type) {
    Class<?> raw = type.getRawClass();
    String name = nameOf(raw);
    Class<?> before = named.putIfAbsent(name, raw);
    if (before != null && before != raw) {
      throw new IllegalStateException(
          "two records named " + name + ": " + before.getName() + ", " + raw.getName());
    }
    if (before == null) {
      schemas.put(name, NODES.objectNode()); // placeholder: a record may hold itself
      schemas.put(name, recordSchema(type));
    }
    return NODES.objectNode().put("$ref", "#/components/schemas/" + name);
  }

  private ObjectNode recordSchema(JavaType type) {
    BeanDescription bean = MAPPER.getSerializationConfig().introspect(type);
    ObjectNode schema = NODES.objectNode().put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    ArrayNode required = NODES.arrayNode();
    // what is left out when: the mapper's default, then the record's, then the component's
    JsonInclude.Value inclusion =
        MAPPER
            .getSerializationConfig()
            .getDefaultPropertyInclusion(type.getRawClass())
            .withOverrides(bean.findPropertyInclusion(JsonInclude.Value.empty()));
    for (BeanPropertyDefinition p : bean.findProperties()) {
      if (!p.couldSerialize()) {
        continue;
      }
      properties.set(p.getName(), schemaOf(p.getPrimaryType()));
      JsonInclude.Include included = inclusion.withOverrides(p.findInclusion()).getValueInclusion();
      if (included == JsonInclude.Include.ALWAYS || included == JsonInclude.Include.USE_DEFAULTS) {
        required.add(p.getName());
      }
    }
    if (!required.isEmpty()) {
      schema.set("required", required);
    }
    schema.put(RECORD, type.getRawClass().getName());
    return schema;
  }

  private ObjectNode schemaOf(JavaType type) {
    Class<?> raw = type.getRawClass();
    if (raw.isEnum()) {
      // as the mapper writes each constant (its @JsonValue, else its name); never null here
      ObjectNode e = scalar("string", null);
      ArrayNode values = e.putArray("enum");
      for (Object constant : raw.getEnumConstants()) {
        values.add(MAPPER.valueToTree(constant).asText());
      }
      return e;
    }
    if (raw == String.class || raw == Character.class || raw == char.class) {
      return nullable(scalar("string", null), raw);
    }
    if (raw == int.class || raw == Integer.class || raw == short.class || raw == Short.class) {
      return nullable(scalar("integer", "int32"), raw);
    }
    if (raw == long.class || raw == Long.class) {
      return nullable(scalar("integer", "int64"), raw);
    }
    if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
      return nullable(scalar("number", "double"), raw);
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return nullable(scalar("boolean", null), raw);
    }
    if (raw == Instant.class) {
      return nullable(scalar("string", "date-time"), raw);
    }
    if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
      ObjectNode array = NODES.objectNode().put("type", "array");
      array.set("items", schemaOf(type.getContentType()));
      return array;
    }
    if (Map.class.isAssignableFrom(raw)) {
      ObjectNode map = NODES.objectNode().put("type", "object");
      map.set("additionalProperties", schemaOf(type.getContentType()));
      return map;
    }
    if (raw == Object.class || JsonNode.class.isAssignableFrom(raw)) {
      return NODES.objectNode(); // any JSON value
    }
    if (raw.isRecord()) {
      return refTo(type);
    }
    throw new IllegalArgumentException("no schema for " + type + ": not a record or a JSON scalar");
  }

  private static ObjectNode scalar(String type, String format) {
    ObjectNode s = NODES.objectNode().put("type", type);
    if (format != null) {
      s.put("format", format);
    }
    return s;
  }

  /** A value of a reference type may be null on the wire (the mapper writes nulls). */
  private static ObjectNode nullable(ObjectNode schema, Class<?> raw) {
    if (!raw.isPrimitive()) {
      schema.put("nullable", true);
    }
    return schema;
  }

  /**
   * {@code schema} without what a writer may add by hand ({@code description}, {@code example}),
   * for comparing a document's schema with a derived one. Property names are kept, also one called
   * {@code description}.
   */
  static JsonNode shape(JsonNode schema) {
    if (!schema.isObject()) {
      return schema;
    }
    ObjectNode copy = schema.deepCopy();
    copy.remove("description");
    copy.remove("example");
    JsonNode properties = copy.get("properties");
    if (properties != null && properties.isObject()) {
      ObjectNode shaped = NODES.objectNode();
      Iterator<Map.Entry<String, JsonNode>> it = properties.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        shaped.set(e.getKey(), shape(e.getValue()));
      }
      copy.set("properties", shaped);
    }
    for (String key : new String[] {"items", "additionalProperties"}) {
      if (copy.has(key)) {
        copy.set(key, shape(copy.get(key)));
      }
    }
    return copy;
  }
}
