package io.autoglm.monitor.node.api;

import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestEncodingRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.stream.StreamLimitReachedException;

/**
 * All HTTP routes of a node, with JSON answers for every error: unknown routes 404, wrong methods
 * 405, bodies over their limit 413, bodies that do not decode 400, anything unexpected 500 — never
 * a bare text page.
 */
public final class ApiRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final OriginGuard origins;
  private final AccessControl access;
  private final Route first;
  private final Route[] more;
  private final ConsoleRoutes console = new ConsoleRoutes();

  /**
   * {@code /health} and the web console's files, then the given routes behind the {@link
   * OriginGuard} and the {@link AccessControl}.
   */
  public ApiRoutes(
      ActorSystem<?> system,
      OriginGuard origins,
      AccessControl access,
      Route first,
      Route... more) {
    this.system = system;
    this.origins = origins;
    this.access = access;
    this.first = first;
    this.more = more;
  }

  public Route route() {
    return handleExceptions(
        exceptionHandler(),
        () ->
            handleRejections(
                rejectionHandler(),
                () ->
                    concat(
                        health(),
                        // the console's static files: public, they hold no data
                        console.route(),
                        origins.guard(() -> access.enforce(() -> concat(first, more))))));
  }

  private Route health() {
    return path(
        "health",
        () ->
            get(
                () -> {
                  Cluster cluster = Cluster.get(system);
                  boolean up = cluster.selfMember().status() == MemberStatus.up();
                  Health body =
                      new Health(
                          up ? "ok" : "starting",
                          cluster.selfMember().address().toString(),
                          cluster.selfMember().status().toString(),
                          cluster.state().getMembers().spliterator().getExactSizeIfKnown());
                  return complete(
                      JsonSupport.json(
                          up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body));
                }));
  }

  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handle(
            MalformedRequestContentRejection.class,
            r ->
                tooLarge(r.getCause())
                    ? complete(JsonSupport.error(StatusCodes.PAYLOAD_TOO_LARGE, r.message()))
                    : complete(JsonSupport.error(StatusCodes.BAD_REQUEST, r.message())))
        .handleAll(
            MethodRejection.class,
            rs ->
                complete(
                    JsonSupport.error(
                        StatusCodes.METHOD_NOT_ALLOWED,
                        "method not allowed here; supported: "
                            + rs.stream().map(r -> r.supported().name()).toList())))
        .handle(
            UnsupportedRequestEncodingRejection.class,
            r ->
                complete(
                    JsonSupport.error(
                        StatusCodes.BAD_REQUEST,
                        "unsupported Content-Encoding; use gzip, deflate or none")))
        .handleNotFound(
            extractUnmatchedPath(
                p -> complete(JsonSupport.error(StatusCodes.NOT_FOUND, "no such route: " + p))))
        .build()
        .withFallback(
            RejectionHandler.defaultHandler().mapRejectionResponse(ApiRoutes::asJsonError))
        .seal();
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(
            Throwable.class,
            t -> {
              Throwable cause = unwrap(t);
              if (cause instanceof EntityStreamSizeException e) {
                return complete(
                    JsonSupport.error(
                        StatusCodes.PAYLOAD_TOO_LARGE,
                        "request body exceeds the limit of " + e.limit() + " bytes"));
              }
              if (cause instanceof StreamLimitReachedException e) {
                return complete(
                    JsonSupport.error(
                        StatusCodes.PAYLOAD_TOO_LARGE,
                        "request body exceeds the limit of " + e.n() + " bytes after decoding"));
              }
              if (cause instanceof IllegalRequestException e) {
                // e.g. a body that is not what its Content-Encoding says: "The request's encoding
                // is corrupt: ..."
                return complete(JsonSupport.error(e.status(), e.info().formatPretty()));
              }
              if (cause instanceof java.util.concurrent.TimeoutException) {
                // an entity that did not answer in time: its node may have just died, and its
                // shard starts elsewhere within seconds (README "Cluster")
                system.log().warn("A request timed out: {}", cause.getMessage());
                return complete(
                    JsonSupport.error(
                        StatusCodes.SERVICE_UNAVAILABLE,
                        "the cluster did not answer in time; try again in a few seconds ("
                            + cause.getMessage()
                            + ")"));
              }
              system.log().error("Unexpected error answering a request", cause);
              return complete(
                  JsonSupport.error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error: " + cause));
            })
        .build();
  }

  private static boolean tooLarge(Throwable t) {
    return unwrap(t) instanceof EntityStreamSizeException;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** Pekko's default rejection answers are plain text; ours are JSON. */
  private static HttpResponse asJsonError(HttpResponse response) {
    if (response.entity() instanceof HttpEntity.Strict strict
        && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      return JsonSupport.error(response.status(), strict.getData().utf8String());
    }
    return response;
  }
}
