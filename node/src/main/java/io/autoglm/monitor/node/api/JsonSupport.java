package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** JSON bodies of the API, errors included: every error is {@code {"error": "...", ...}}. */
public final class JsonSupport {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonSupport() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static HttpResponse json(StatusCode status, JsonNode body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  public static HttpResponse ok(JsonNode body) {
    return json(StatusCodes.OK, body);
  }

  public static ObjectNode error(String message) {
    ObjectNode node = object();
    node.put("error", message);
    return node;
  }

  public static HttpResponse error(StatusCode status, String message) {
    return json(status, error(message));
  }
}
