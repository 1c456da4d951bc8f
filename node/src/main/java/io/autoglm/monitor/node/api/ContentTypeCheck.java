package io.autoglm.monitor.node.api;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Lets a request body in only with one of the given media types (parameters such as {@code charset}
 * are ignored); others get 415 naming the accepted ones. A browser page can send {@code text/plain}
 * or a form cross-site without asking first, but not these types, so this also keeps pages from
 * posting into the node while the {@link OriginGuard} is configured open.
 */
public final class ContentTypeCheck extends AllDirectives {
  private final List<String> accepted;

  public ContentTypeCheck(String... accepted) {
    this.accepted = List.of(accepted);
  }

  public Route require(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          MediaType type = request.entity().getContentType().mediaType();
          String name = (type.mainType() + "/" + type.subType()).toLowerCase(Locale.ROOT);
          if (accepted.contains(name)) {
            return inner.get();
          }
          return complete(
              JsonSupport.error(
                  StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                  "Content-Type '"
                      + name
                      + "' is not accepted here; send one of: "
                      + String.join(", ", accepted)));
        });
  }
}
