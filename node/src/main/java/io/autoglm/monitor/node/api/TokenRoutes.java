package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.node.auth.ApiTokens;
import io.autoglm.monitor.protocols.json.Json;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code GET /api/v1/tokens} (never secrets), {@code POST /api/v1/tokens {"name", "role"}} (201
 * with the token, shown this once), {@code DELETE /api/v1/tokens/{id}} (revoke). Admin only (see
 * {@link ApiAccess}).
 */
public final class TokenRoutes extends AllDirectives {
  private static final long MAX_BODY_BYTES = 4 * 1024;
  private static final ContentTypeCheck JSON_BODY = new ContentTypeCheck("application/json");

  private final ApiTokens tokens;

  public TokenRoutes(ApiTokens tokens) {
    this.tokens = tokens;
  }

  /** The answer of {@code GET /api/v1/tokens}. */
  public record TokenList(List<ApiTokens.Listed> tokens) {}

  public Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("tokens"),
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        tokens.list(),
                                        all -> complete(JsonSupport.ok(new TokenList(all))))),
                            post(
                                () ->
                                    JSON_BODY.require(
                                        () ->
                                            withSizeLimit(
                                                MAX_BODY_BYTES,
                                                () ->
                                                    entity(
                                                        Unmarshaller.entityToString(),
                                                        this::create)))))),
                path(PathMatchers.segment(), id -> delete(() -> revoke(id)))));
  }

  private Route create(String body) {
    JsonNode json;
    try {
      json = Json.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      return complete(JsonSupport.notJson(e));
    }
    if (json == null || !json.isObject()) {
      return complete(
          JsonSupport.error(
              StatusCodes.BAD_REQUEST, "the body must be a JSON object {\"name\", \"role\"}"));
    }
    String name = json.path("name").isTextual() ? json.get("name").asText() : null;
    String role = json.path("role").isTextual() ? json.get("role").asText() : null;
    return onComplete(
        tokens.create(name, role),
        result -> {
          if (result.isSuccess()) {
            return complete(JsonSupport.json(StatusCodes.CREATED, result.get()));
          }
          Throwable t = result.failed().get();
          Throwable cause =
              t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
          if (cause instanceof ApiTokens.Refused refused) {
            return complete(
                JsonSupport.error(
                    refused.conflict() ? StatusCodes.CONFLICT : StatusCodes.BAD_REQUEST,
                    refused.getMessage()));
          }
          return complete(
              JsonSupport.error(
                  StatusCodes.SERVICE_UNAVAILABLE,
                  "the token could not be stored (Cassandra did not answer); try again: "
                      + cause.getMessage()));
        });
  }

  private Route revoke(String id) {
    if (!ApiTokens.isId(id)) {
      return complete(
          JsonSupport.error(
              StatusCodes.BAD_REQUEST,
              "not a token id (1 to 32 of a-z, 0-9 and -): "
                  + (id.length() > 40 ? id.substring(0, 40) + "..." : id)));
    }
    return onSuccess(
        tokens.revoke(id),
        found ->
            found
                ? complete(StatusCodes.NO_CONTENT)
                : complete(JsonSupport.error(StatusCodes.NOT_FOUND, "no token " + id)));
  }
}
