package io.autoglm.monitor.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/openapi.json}: this API as an OpenAPI 3 document, the resource {@value
 * #RESOURCE} as written. {@code OpenApiSpecTest} holds it to {@link ApiAccess} (every route and its
 * role, both ways) and to the answer records (their properties, both ways).
 */
public final class OpenApiRoutes extends AllDirectives {
  static final String RESOURCE = "/openapi.json";

  private final HttpResponse document;

  public OpenApiRoutes() {
    this.document = HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, load());
  }

  /** The document's bytes; the node does not start without it. */
  static byte[] load() {
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the resource " + RESOURCE + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  public Route route() {
    return path(
        PathMatchers.segment("api").slash("v1").slash("openapi.json"),
        () -> get(() -> complete(document)));
  }
}
