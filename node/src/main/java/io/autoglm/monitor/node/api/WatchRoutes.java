package io.autoglm.monitor.node.api;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.IpWatch;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleCodec.WatchView;
import io.autoglm.monitor.protocols.rule.RuleValidationException;
import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@code GET/PUT/DELETE /api/v1/ips/watch[/{id}]}: the source-IP watch list, kept in the rule book.
 * The IPs an entry names ({@code {"ip": "203.0.113.*", "service": "*"}}) are tracked from their
 * first request, on every node, whatever their traffic.
 */
public final class WatchRoutes extends AllDirectives {
  private static final ContentTypeCheck JSON_BODY = new ContentTypeCheck("application/json");
  private final EntityRef<RuleBookEntity.Command> ruleBook;
  private final RuleCache cache;
  private final Duration timeout;
  private final long maxBodyBytes;

  /** The watch list. */
  public record WatchList(List<WatchView> watches) {}

  public WatchRoutes(
      EntityRef<RuleBookEntity.Command> ruleBook,
      RuleCache cache,
      Duration timeout,
      long maxBodyBytes) {
    this.ruleBook = ruleBook;
    this.cache = cache;
    this.timeout = timeout;
    this.maxBodyBytes = maxBodyBytes;
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("ips").slash("watch"),
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                onSuccess(
                                    ruleSet(), set -> complete(JsonSupport.ok(listOf(set)))))),
                path(
                    PathMatchers.segment(),
                    id ->
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        ruleSet(),
                                        set -> {
                                          IpWatch w = set.watches().get(id);
                                          return complete(
                                              w == null
                                                  ? notFound(id)
                                                  : JsonSupport.ok(WatchView.of(w)));
                                        })),
                            put(
                                () ->
                                    JSON_BODY.require(
                                        () ->
                                            withSizeLimit(
                                                maxBodyBytes,
                                                () ->
                                                    entity(
                                                        Unmarshaller.entityToString(),
                                                        body -> upsert(id, body))))),
                            delete(() -> onSuccess(delete(id), response -> complete(response)))))));
  }

  private static WatchList listOf(RuleSet set) {
    return new WatchList(set.watches().values().stream().map(WatchView::of).toList());
  }

  private CompletionStage<RuleSet> ruleSet() {
    return ruleBook.ask(RuleBookEntity.Get::new, timeout);
  }

  private Route upsert(String id, String body) {
    IpWatch watch;
    try {
      JsonNode json = Json.mapper().readTree(body);
      watch = RuleCodec.parseWatch(json, id);
    } catch (JsonProcessingException e) {
      return complete(JsonSupport.notJson(e));
    } catch (RuleValidationException e) {
      return complete(
          json(
              StatusCodes.BAD_REQUEST,
              ErrorBody.ofField("invalid watch: " + e.getMessage(), e.field(), e.reason())));
    }
    boolean existed = cache.current().watches().containsKey(id);
    CompletionStage<StatusReply<RuleSet>> stored =
        ruleBook.ask(replyTo -> new RuleBookEntity.UpsertWatch(watch, replyTo), timeout);
    return onSuccess(
        stored,
        reply -> {
          if (reply.isError()) {
            return complete(JsonSupport.error(StatusCodes.CONFLICT, reply.getError().getMessage()));
          }
          cache.offer(reply.getValue());
          return complete(
              json(existed ? StatusCodes.OK : StatusCodes.CREATED, WatchView.of(watch)));
        });
  }

  private CompletionStage<HttpResponse> delete(String id) {
    CompletionStage<StatusReply<RuleSet>> reply =
        ruleBook.ask(replyTo -> new RuleBookEntity.DeleteWatch(id, replyTo), timeout);
    return reply.thenApply(
        r -> {
          if (r.isError()) {
            return notFound(id);
          }
          cache.offer(r.getValue());
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        });
  }

  private static HttpResponse notFound(String id) {
    return JsonSupport.error(StatusCodes.NOT_FOUND, "no watch with id '" + id + "'");
  }
}
