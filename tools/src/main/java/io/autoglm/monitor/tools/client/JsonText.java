package io.autoglm.monitor.tools.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;

/** How the client commands read the node's JSON and show its values. */
final class JsonText {
  private JsonText() {}

  static JsonNode parse(String text) {
    try {
      return io.autoglm.monitor.protocols.json.Json.mapper().readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("the node sent something that is not JSON", e);
    }
  }

  static String array(List<JsonNode> items) {
    ArrayNode a = io.autoglm.monitor.protocols.json.Json.mapper().createArrayNode();
    items.forEach(a::add);
    return a.toString();
  }

  /** An instant as the node writes it, without fractions of a second; "-" when absent. */
  static String time(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return "-";
    }
    return n.asText().replaceFirst("\\.\\d+Z$", "Z");
  }

  /** A number with at most 4 significant digits, no exponent for ordinary values. */
  static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }
}
