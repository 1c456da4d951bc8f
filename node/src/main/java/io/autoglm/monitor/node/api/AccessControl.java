package io.autoglm.monitor.node.api;

import io.autoglm.monitor.node.api.ApiAccess.Entry;
import io.autoglm.monitor.node.api.ApiAccess.Role;
import io.autoglm.monitor.node.auth.ApiTokens;
import io.autoglm.monitor.node.auth.AuthSettings;
import io.autoglm.monitor.node.auth.FailedTokenChecks;
import io.autoglm.monitor.node.auth.Principal;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authorization of every request by the table in {@link ApiAccess}: a request matching no route is
 * answered 404 (405 for a known path with another method) before any route runs; a route that needs
 * a role wants a token, {@code Authorization: Bearer <token>} (a browser's WebSocket, which cannot
 * set headers, offers it as the subprotocol {@code bearer.<token>}). No token, or an unknown or
 * revoked one: 401. A token whose role may not: 403 naming the role needed. An address with too
 * many 401s for tokens it sent is answered 429 for a while ({@link FailedTokenChecks}).
 *
 * <p>{@code GET /api/v1/whoami} is answered here, with the caller.
 */
public final class AccessControl extends AllDirectives {
  /** Subprotocol prefix carrying a token in a WebSocket handshake. */
  public static final String BEARER_PROTOCOL = "bearer.";

  private static final int MAX_ECHO = 200;
  private static final HttpHeader CHALLENGE =
      RawHeader.create("WWW-Authenticate", "Bearer realm=\"autoglm\"");

  private final AuthSettings settings;
  private final ApiTokens tokens;
  private final FailedTokenChecks failures;

  public AccessControl(AuthSettings settings, ApiTokens tokens) {
    this.settings = settings;
    this.tokens = tokens;
    this.failures =
        new FailedTokenChecks(settings.maxFailedChecks(), settings.failedChecksWindow());
  }

  /** Checks no token ({@code autoglm.auth.enabled = off}); the route table still applies. */
  public static AccessControl unchecked() {
    return new AccessControl(
        new AuthSettings(
            false,
            Optional.empty(),
            java.nio.file.Path.of("-"),
            java.time.Duration.ZERO,
            1,
            false,
            0,
            java.time.Duration.ofMinutes(1)),
        null);
  }

  public Route enforce(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          List<String> path = new ArrayList<>();
          request.getUri().pathSegments().forEach(path::add);
          ApiAccess.Match match = ApiAccess.match(request.method().value(), path);
          if (match instanceof ApiAccess.NoRoute) {
            return complete(
                JsonSupport.error(
                    StatusCodes.NOT_FOUND, "no such route: " + shown(request.getUri().path())));
          }
          if (match instanceof ApiAccess.WrongMethod wrong) {
            return complete(
                JsonSupport.error(
                    StatusCodes.METHOD_NOT_ALLOWED,
                    "method not allowed here; supported: " + wrong.allowed()));
          }
          Entry entry = ((ApiAccess.Found) match).entry();
          if (!settings.enabled()) {
            return answer(entry, Principal.UNCHECKED, inner);
          }
          if (entry.role() == Role.PUBLIC
              || request.method().value().equals("OPTIONS")
              || (settings.openMetrics() && entry.template().equals("/metrics"))) {
            return inner.get();
          }
          Optional<String> token = presented(request);
          if (token.isEmpty()) {
            return complete(
                unauthorized(
                    "this route needs a token: send `Authorization: Bearer <token>` (a token of role "
                        + entry.role().label()
                        + " or above)"));
          }
          Optional<InetAddress> address =
              request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
          OptionalLong refused = address.map(failures::refusedFor).orElse(OptionalLong.empty());
          if (refused.isPresent()) {
            return complete(
                JsonSupport.error(
                        StatusCodes.TOO_MANY_REQUESTS,
                        "too many refused tokens from this address ("
                            + settings.maxFailedChecks()
                            + " within "
                            + settings.failedChecksWindow().toSeconds()
                            + " s): no token is checked for it for "
                            + refused.getAsLong()
                            + " s")
                    .addHeader(RawHeader.create("Retry-After", "" + refused.getAsLong())));
          }
          return onComplete(
              tokens.verify(token.get()),
              result -> {
                if (result.isFailure()) {
                  return complete(
                      JsonSupport.error(
                          StatusCodes.SERVICE_UNAVAILABLE,
                          "the token could not be checked (Cassandra did not answer); try again: "
                              + result.failed().get().getMessage()));
                }
                Optional<Principal> caller = result.get();
                if (caller.isEmpty()) {
                  address.ifPresent(failures::failed);
                  return complete(unauthorized("unknown or revoked token"));
                }
                Principal p = caller.get();
                if (!p.role().mayCall(entry.role())) {
                  return complete(
                      JsonSupport.error(
                          StatusCodes.FORBIDDEN,
                          "a token of role "
                              + p.role().label()
                              + " may not "
                              + entry.method()
                              + " "
                              + entry.template()
                              + ": it needs role "
                              + entry.role().label()
                              + (entry.role() == Role.AGENT ? " (or admin)" : " or above")));
                }
                return answer(entry, p, inner);
              });
        });
  }

  private Route answer(Entry entry, Principal caller, Supplier<Route> inner) {
    if (entry.template().equals("/api/v1/whoami")) {
      return complete(JsonSupport.ok(caller));
    }
    return inner.get();
  }

  /** The bearer token of the Authorization header, or of a WebSocket subprotocol offered. */
  static Optional<String> presented(HttpRequest request) {
    Optional<HttpHeader> auth = request.getHeader("Authorization");
    if (auth.isPresent()) {
      String v = auth.get().value().trim();
      return v.regionMatches(true, 0, "Bearer ", 0, 7)
          ? Optional.of(v.substring(7).trim())
          : Optional.of(""); // another scheme: no token we know; 401
    }
    return request
        .getHeader("Sec-WebSocket-Protocol")
        .flatMap(
            h -> {
              for (String offered : h.value().split(",")) {
                String o = offered.trim();
                if (o.toLowerCase(Locale.ROOT).startsWith(BEARER_PROTOCOL)) {
                  return Optional.of(o.substring(BEARER_PROTOCOL.length()));
                }
              }
              return Optional.empty();
            });
  }

  private static HttpResponse unauthorized(String message) {
    return JsonSupport.error(StatusCodes.UNAUTHORIZED, message).addHeader(CHALLENGE);
  }

  private static String shown(String s) {
    return s.length() > MAX_ECHO ? s.substring(0, MAX_ECHO) + "..." : s;
  }
}
