package io.autoglm.monitor.protocols.document;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML or JSON document read by Jackson into a tree, with the line each value starts on, so that
 * an error can name the file, the line and the field: {@code rules.yaml:7: rules[2].threshold: must
 * be a number}. Values are addressed by JSON pointer ({@code /rules/2/threshold}).
 *
 * <p>Bounded: the caller bounds the bytes; nesting deeper than {@value #MAX_DEPTH} and a key given
 * twice in one mapping are refused (YAML would otherwise keep the last one silently).
 */
public record LocatedDocument(String source, JsonNode root, Map<String, Integer> lines) {
  /** The deepest nesting read. */
  public static final int MAX_DEPTH = 32;

  private static final JsonFactory JSON = new JsonFactory();
  private static final YAMLFactory YAML = new YAMLFactory();

  public enum Format {
    YAML,
    JSON;

    /** JSON for a name ending in {@code .json}, YAML otherwise (YAML reads JSON too). */
    public static Format ofFileName(String name) {
      return name.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? JSON : YAML;
    }
  }

  public LocatedDocument {
    lines = Map.copyOf(lines);
  }

  /** Reads {@code bytes} (UTF-8) as {@code format}; {@code source} names it in errors. */
  public static LocatedDocument parse(String source, byte[] bytes, Format format)
      throws DocumentException {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p =
        (format == Format.JSON ? JSON : YAML).createParser(bytes == null ? new byte[0] : bytes)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new DocumentException(source, 0, "$", "the document is empty");
      }
      JsonNode root = read(source, p, "", 0, lines);
      if (p.nextToken() != null) {
        throw new DocumentException(
            source, line(p), "$", "one document expected, found more after it");
      }
      return new LocatedDocument(source, root, lines);
    } catch (JsonProcessingException e) {
      throw new DocumentException(
          source,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "$",
          "not valid " + format + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new DocumentException(source, 0, "$", "cannot be read: " + e.getMessage());
    }
  }

  /** The line the value at {@code pointer} starts on, else its nearest ancestor's; 0 if none. */
  public int line(String pointer) {
    String p = pointer;
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 0;
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
  }

  /** An error at the value {@code pointer}, named {@code field} (as a user writes it). */
  public DocumentException error(String pointer, String field, String reason) {
    return new DocumentException(source, line(pointer), field, reason);
  }

  /**
   * The pointer of {@code field}, as the rule codec names fields ({@code flapping.within}, {@code
   * mute[0].from}), under {@code base}.
   */
  public static String pointerOf(String base, String field) {
    if (field == null || field.equals("$")) {
      return base;
    }
    StringBuilder out = new StringBuilder(base);
    for (String part : field.split("\\.")) {
      int bracket = part.indexOf('[');
      String name = bracket < 0 ? part : part.substring(0, bracket);
      out.append('/').append(name.replace("~", "~0").replace("/", "~1"));
      while (bracket >= 0) {
        int close = part.indexOf(']', bracket);
        if (close < 0) {
          break;
        }
        out.append('/').append(part, bracket + 1, close);
        bracket = part.indexOf('[', close);
      }
    }
    return out.toString();
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static JsonNode read(
      String source, JsonParser p, String pointer, int depth, Map<String, Integer> lines)
      throws IOException, DocumentException {
    lines.putIfAbsent(pointer, line(p));
    JsonNodeFactory f = JsonNodeFactory.instance;
    JsonToken t = p.currentToken();
    if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && depth >= MAX_DEPTH) {
      throw new DocumentException(
          source, line(p), pointer.isEmpty() ? "$" : pointer, "nested deeper than " + MAX_DEPTH);
    }
    switch (t) {
      case START_OBJECT -> {
        ObjectNode o = f.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
          int keyLine = line(p);
          if (o.has(name)) {
            throw new DocumentException(source, keyLine, name, "given twice");
          }
          lines.put(child, keyLine);
          p.nextToken();
          o.set(name, read(source, p, child, depth + 1, lines));
        }
        return o;
      }
      case START_ARRAY -> {
        ArrayNode a = f.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(read(source, p, pointer + "/" + i++, depth + 1, lines));
        }
        return a;
      }
      case VALUE_STRING -> {
        return f.textNode(p.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (p.getNumberType()) {
          case INT -> f.numberNode(p.getIntValue());
          case LONG -> f.numberNode(p.getLongValue());
          default -> f.numberNode(p.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return f.numberNode(p.getDoubleValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return f.booleanNode(t == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return f.nullNode();
      }
      default ->
          throw new DocumentException(
              source, line(p), pointer.isEmpty() ? "$" : pointer, "unsupported value (" + t + ")");
    }
  }
}
