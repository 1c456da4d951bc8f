package io.autoglm.monitor.node.api;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.document.DocumentException;
import io.autoglm.monitor.protocols.document.LocatedDocument;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleCodec.RuleView;
import io.autoglm.monitor.protocols.rule.RuleDiff;
import io.autoglm.monitor.protocols.rule.RuleValidationException;
import io.autoglm.monitor.protocols.rule.RulesDocument;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@code GET/PUT/DELETE /api/v1/rules[/{id}]}: the rule book, in {@link RuleCodec}'s JSON form;
 * {@code PUT /api/v1/rules} replaces the whole rule set with a rules file ({@link RulesDocument},
 * YAML or JSON) and answers the {@link RuleDiff}; {@code ?dry_run=true} answers it without
 * applying.
 */
public final class RuleRoutes extends AllDirectives {
  private static final ContentTypeCheck JSON_BODY = new ContentTypeCheck("application/json");
  private static final ContentTypeCheck RULES_FILE =
      new ContentTypeCheck(
          "application/yaml", "text/yaml", "application/x-yaml", "application/json");
  private final EntityRef<RuleBookEntity.Command> ruleBook;
  private final RuleCache cache;
  private final Duration timeout;
  private final long maxRuleBytes;
  private final long maxWindowMs;
  private final long maxFileBytes;
  private final int maxRules;

  /**
   * @param maxWindowMs the longest rule window this cluster keeps data for ({@code
   *     autoglm.stats.max-window})
   */
  public RuleRoutes(
      EntityRef<RuleBookEntity.Command> ruleBook,
      RuleCache cache,
      Duration timeout,
      long maxRuleBytes,
      long maxWindowMs,
      long maxFileBytes,
      int maxRules) {
    this.ruleBook = ruleBook;
    this.maxFileBytes = maxFileBytes;
    this.maxRules = maxRules;
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
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        rules(),
                                        set -> complete(JsonSupport.ok(RuleList.of(set))))),
                            put(
                                () ->
                                    RULES_FILE.require(
                                        () ->
                                            parameterOptional(
                                                "dry_run",
                                                dryRun ->
                                                    withSizeLimit(
                                                        maxFileBytes,
                                                        () ->
                                                            extractRequest(
                                                                request ->
                                                                    entity(
                                                                        Unmarshaller
                                                                            .entityToByteString(),
                                                                        body ->
                                                                            replaceAll(
                                                                                request,
                                                                                body.toArray(),
                                                                                dryRun))))))))),
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

  private Route replaceAll(HttpRequest request, byte[] body, Optional<String> dryRunParam) {
    boolean dryRun;
    if (dryRunParam.isEmpty() || dryRunParam.get().equals("false")) {
      dryRun = false;
    } else if (dryRunParam.get().equals("true")) {
      dryRun = true;
    } else {
      return complete(
          json(
              StatusCodes.BAD_REQUEST,
              ErrorBody.ofField(
                  "invalid dry_run",
                  "dry_run",
                  "must be true or false, got '" + clip(dryRunParam.get()) + "'")));
    }
    MediaType type = request.entity().getContentType().mediaType();
    LocatedDocument.Format format =
        type.subType().equalsIgnoreCase("json")
            ? LocatedDocument.Format.JSON
            : LocatedDocument.Format.YAML;
    List<ThresholdRule> next;
    List<String> ignored;
    try {
      RulesDocument.Parsed parsed =
          RulesDocument.read(LocatedDocument.parse("body", body, format), maxRules, maxWindowMs);
      next = parsed.rules();
      ignored = parsed.ignored();
    } catch (DocumentException e) {
      return complete(
          json(
              StatusCodes.BAD_REQUEST,
              new FileErrorBody(
                  "invalid rules file: " + e.getMessage(), e.field(), e.reason(), e.line())));
    }
    if (dryRun) {
      return onSuccess(
          rules(),
          set ->
              complete(
                  JsonSupport.ok(
                      RulesReplaced.of(
                          true,
                          RuleDiff.between(set.rules().values(), next),
                          ignored,
                          set.version()))));
    }
    CompletionStage<StatusReply<RuleBookEntity.Replaced>> replaced =
        ruleBook.ask(replyTo -> new RuleBookEntity.Replace(next, replyTo), timeout);
    return onSuccess(
        replaced,
        reply -> {
          if (reply.isError()) { // more rules than the book holds
            return complete(JsonSupport.error(StatusCodes.CONFLICT, reply.getError().getMessage()));
          }
          RuleBookEntity.Replaced r = reply.getValue();
          cache.offer(r.after());
          return complete(
              JsonSupport.ok(
                  RulesReplaced.of(
                      false,
                      RuleDiff.between(r.before().rules().values(), r.after().rules().values()),
                      ignored,
                      r.after().version())));
        });
  }

  private static String clip(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }

  /**
   * The answer of {@code PUT /api/v1/rules}: what changed (or would, with {@code dry_run}), the
   * file's node sections that were not applied, and the rule book's version after it.
   */
  public record RulesReplaced(
      @JsonProperty("dry_run") boolean dryRun,
      List<RuleDiff.Added> added,
      List<RuleDiff.Changed> changed,
      List<String> removed,
      int unchanged,
      List<String> ignored,
      long version) {
    static RulesReplaced of(boolean dryRun, RuleDiff diff, List<String> ignored, long version) {
      return new RulesReplaced(
          dryRun, diff.added(), diff.changed(), diff.removed(), diff.unchanged(), ignored, version);
    }
  }

  /** A 400 about a rules file: {@link ErrorBody}'s fields and the line (0: not known). */
  public record FileErrorBody(String error, String field, String reason, int line) {}

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
