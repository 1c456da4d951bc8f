package io.autoglm.monitor.node.api;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Keeps web pages from driving the node through a browser. A browser marks every cross-site
 * request, WebSocket handshakes included, with an {@code Origin} header; a request that carries one
 * is answered only when the origin is on {@code autoglm.http.allowed-origins} (empty by default):
 * otherwise 403, whatever the method or route. Agents, curl and other programs send no {@code
 * Origin} and pass. An allowed origin gets the CORS headers a browser needs, and its preflight
 * {@code OPTIONS} is answered here.
 *
 * <p>A page the node served itself (same scheme, host and port) passes. This is not authentication
 * ({@link AccessControl} is); it keeps any page open in a browser on the monitoring host from using
 * the credentials the browser holds for the node.
 */
public final class OriginGuard extends AllDirectives {
  private static final int MAX_ECHO = 200;
  private final Set<String> allowed;

  public OriginGuard(List<String> allowedOrigins) {
    this.allowed = Set.copyOf(allowedOrigins);
  }

  public Route guard(Supplier<Route> inner) {
    return extractRequest(
        request ->
            request
                .getHeader("Origin")
                .map(h -> h.value().trim())
                .map(
                    o ->
                        sameOrigin(o, request)
                            ? inner.get()
                            : allowed.contains(o) ? allowedRoute(o, inner) : refused(o, request))
                .orElseGet(inner));
  }

  /**
   * A page the node served itself (the web console): its {@code Origin} is the scheme and {@code
   * Host} the browser sent this request with.
   */
  private static boolean sameOrigin(String origin, HttpRequest request) {
    return origin.equalsIgnoreCase(selfOrigin(request));
  }

  private static String selfOrigin(HttpRequest request) {
    // the effective request URI: the scheme of the connection, host and port from Host
    org.apache.pekko.http.javadsl.model.Uri uri = request.getUri();
    // a WebSocket handshake's URI reads ws:// or wss://; its page's origin http:// or https://
    String scheme = uri.getScheme().replaceFirst("^ws", "http");
    int port = uri.getPort();
    boolean defaultPort =
        port <= 0
            || (scheme.equals("http") && port == 80)
            || (scheme.equals("https") && port == 443);
    return scheme + "://" + uri.host().address() + (defaultPort ? "" : ":" + port);
  }

  private Route refused(String origin, HttpRequest request) {
    String shown = origin.length() > MAX_ECHO ? origin.substring(0, MAX_ECHO) + "..." : origin;
    return complete(
        JsonSupport.error(
            StatusCodes.FORBIDDEN,
            "cross-origin request from '"
                + shown
                + "' refused: that origin is neither this node's ("
                + selfOrigin(request)
                + ") nor in autoglm.http.allowed-origins"));
  }

  private Route allowedRoute(String origin, Supplier<Route> inner) {
    List<HttpHeader> cors =
        List.of(
            RawHeader.create("Access-Control-Allow-Origin", origin),
            RawHeader.create("Vary", "Origin"));
    return respondWithHeaders(
        cors, () -> concat(options(() -> complete(preflight())), inner.get()));
  }

  private static HttpResponse preflight() {
    return HttpResponse.create()
        .withStatus(StatusCodes.NO_CONTENT)
        .addHeaders(
            List.of(
                RawHeader.create("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
                RawHeader.create(
                    "Access-Control-Allow-Headers",
                    "Content-Type, Content-Encoding, Authorization, X-Agent-Id, X-Agent-Epoch, X-Agent-Seq"),
                RawHeader.create("Access-Control-Max-Age", "600")));
  }
}
