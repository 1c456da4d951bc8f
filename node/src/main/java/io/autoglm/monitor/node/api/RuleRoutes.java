package io.autoglm.monitor.node.api;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleCodec.RuleView;
import io.autoglm.monitor.protocols.rule.RuleValidationException;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/** {@code GET/PUT/DELETE /api/v1/rules[/{id}]}: the rule book, in {@link RuleCodec}'s JSON form. */
public final class RuleRoutes extends AllDirectives {
  private static final ContentTypeCheck JSON_BODY = new ContentTypeCheck("application/json");
  private final EntityRef<RuleBookEntity.Command> ruleBook;
  private final RuleCache cache;
  private final Duration timeout;
  private final long maxRuleBytes;
  private final long maxWindowMs;

  /**
   * @param maxWindowMs the longest rule window this cluster keeps data for ({@code
   *     autoglm.stats.max-window})
   */
  public RuleRoutes(
      EntityRef<RuleBookEntity.Command> ruleBook,
      RuleCache cache,
      Duration timeout,
      long maxRuleBytes,
      long maxWindowMs) {
    this.ruleBook = ruleBook;
    this.maxWindowMs = maxWindowMs;
    this.cache = cache;
    this.timeout = timeout;
    this.maxRuleBytes = maxRuleBytes;
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("rules"),
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                onSuccess(
                                    rules(), set -> complete(JsonSupport.ok(RuleList.of(set)))))),
                path(
                    PathMatchers.segment(),
                    id ->
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        rules(),
                                        set -> {
                                          ThresholdRule rule = set.rules().get(id);
                                          return complete(
                                              rule == null
                                                  ? notFound(id)
                                                  : JsonSupport.ok(RuleView.of(rule)));
                                        })),
                            put(
                                () ->
                                    JSON_BODY.require(
                                        () ->
                                            withSizeLimit(
                                                maxRuleBytes,
                                                () ->
                                                    entity(
                                                        Unmarshaller.entityToString(),
                                                        body -> upsert(id, body))))),
                            delete(() -> onSuccess(delete(id), response -> complete(response)))))));
  }

  private CompletionStage<RuleSet> rules() {
    return ruleBook.ask(RuleBookEntity.Get::new, timeout);
  }

  private Route upsert(String id, String body) {
    ThresholdRule rule;
    try {
      JsonNode json = Json.mapper().readTree(body);
      rule = RuleCodec.parse(json, id);
      if (rule.windowMs() > maxWindowMs) {
        throw new RuleValidationException(
            "window",
            "must be at most "
                + RuleCodec.formatDuration(maxWindowMs)
                + " (autoglm.stats.max-window), got "
                + RuleCodec.formatDuration(rule.windowMs()));
      }
    } catch (JsonProcessingException e) {
      return complete(JsonSupport.notJson(e));
    } catch (RuleValidationException e) {
      return complete(
          json(
              StatusCodes.BAD_REQUEST,
              ErrorBody.ofField("invalid rule: " + e.getMessage(), e.field(), e.reason())));
    }
    boolean existed = cache.current().rules().containsKey(id);
    CompletionStage<StatusReply<RuleSet>> stored =
        ruleBook.ask(replyTo -> new RuleBookEntity.Upsert(rule, replyTo), timeout);
    return onSuccess(
        stored,
        reply -> {
          if (reply.isError()) { // the book is full
            return complete(JsonSupport.error(StatusCodes.CONFLICT, reply.getError().getMessage()));
          }
          cache.offer(reply.getValue());
          return complete(json(existed ? StatusCodes.OK : StatusCodes.CREATED, RuleView.of(rule)));
        });
  }

  private CompletionStage<HttpResponse> delete(String id) {
    CompletionStage<StatusReply<RuleSet>> reply =
        ruleBook.ask(replyTo -> new RuleBookEntity.Delete(id, replyTo), timeout);
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
    return JsonSupport.error(StatusCodes.NOT_FOUND, "no rule with id '" + id + "'");
  }
}
