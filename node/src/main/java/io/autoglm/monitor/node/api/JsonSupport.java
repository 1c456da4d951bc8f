package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.databind.ObjectWriter;
import io.autoglm.monitor.protocols.json.Json;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * HTTP answers with a JSON body: a record of this package (or {@code ingest}) written by the shared
 * {@link Json} mapper. Every error is an {@link ErrorBody}, {@code {"error": "...", ...}}.
 */
public final class JsonSupport {

  private JsonSupport() {}

  public static HttpResponse json(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.toBytes(body));
  }

  /** Through a prepared writer: for an answer written on every request of a hot path. */
  public static HttpResponse json(StatusCode status, ObjectWriter writer, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.toBytes(writer, body));
  }

  public static HttpResponse ok(Object body) {
    return json(StatusCodes.OK, body);
  }

  public static HttpResponse error(StatusCode status, String message) {
    return json(status, ErrorBody.of(message));
  }

  /** The 400 for a request body that is not JSON at all. */
  public static HttpResponse notJson(com.fasterxml.jackson.core.JsonProcessingException e) {
    return error(StatusCodes.BAD_REQUEST, "the body is not valid JSON: " + e.getOriginalMessage());
  }
}
