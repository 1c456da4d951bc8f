package io.autoglm.monitor.node.api;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.notifier.route.Notifier;
import io.autoglm.monitor.notifier.route.Silence;
import io.autoglm.monitor.notifier.route.SilenceCodec;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Silences, as Alertmanager's API has them, persisted in {@code notifier_silences}:
 *
 * <ul>
 *   <li>{@code POST /api/v1/silences}: creates one from {@code {matchers, startsAt, endsAt,
 *       createdBy, comment}} (with the {@code id} of an existing one: replaces it); answers {@code
 *       {"silenceID": ...}}; 400 names the invalid field; 409 past {@value #MAX_SILENCES} silences
 *       not yet ended;
 *   <li>{@code GET /api/v1/silences}, {@code GET /api/v1/silences/{id}}: with their state ({@code
 *       pending}, {@code active}, {@code expired}; an expired one is listed for a week);
 *   <li>{@code DELETE /api/v1/silences/{id}}: expires it now (one not started yet is removed).
 * </ul>
 *
 * A matching alert change reaches the feed and the audit ({@code suppressed}, "silenced by ID"), no
 * receiver. A change here is answered once the notifier has read the silences again (it also reads
 * them every 30 s).
 */
public final class SilenceRoutes extends AllDirectives {
  static final int MAX_SILENCES = 10_000;
  private static final long MAX_BODY_BYTES = 64 * 1024;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final ContentTypeCheck JSON_BODY = new ContentTypeCheck("application/json");

  /** {@code POST /api/v1/silences}: the silence's id. */
  public record Created(String silenceID) {}

  /** A silence and its state now. */
  public record SilenceView(
      String id,
      State status,
      List<SilenceCodec.WrittenMatcher> matchers,
      Instant startsAt,
      Instant endsAt,
      String createdBy,
      String comment) {
    public record State(String state) {}

    static SilenceView of(Silence s, Instant now) {
      var w = SilenceCodec.written(s);
      String state = now.isBefore(s.startsAt()) ? "pending" : s.active(now) ? "active" : "expired";
      return new SilenceView(
          w.id(),
          new State(state),
          w.matchers(),
          w.startsAt(),
          w.endsAt(),
          w.createdBy(),
          w.comment());
    }
  }

  private final NotifierStore store;
  private final ActorRef<Notifier.Command> notifier;

  private final ActorSystem<?> system;
  private final Duration timeout;

  public SilenceRoutes(
      NotifierStore store,
      ActorRef<Notifier.Command> notifier,
      ActorSystem<?> system,
      Duration timeout) {
    this.store = store;
    this.notifier = notifier;
    this.system = system;
    this.timeout = timeout;
  }

  /**
   * Has the notifier read the silences again; completes once they apply (or, when the notifier
   * cannot be asked in time, anyway: it reads them again every 30 s).
   */
  private CompletionStage<Done> applied() {
    return AskPattern.<Notifier.Command, Done>ask(
            notifier, Notifier.ApplySilences::new, timeout, system.scheduler())
        .exceptionally(e -> Done.getInstance());
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("silences"),
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        all(), list -> complete(JsonSupport.ok(views(list))))),
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
                path(
                    PathMatchers.segment(),
                    id ->
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        find(id),
                                        s ->
                                            s.isPresent()
                                                ? complete(
                                                    JsonSupport.ok(
                                                        SilenceView.of(s.get(), Instant.now())))
                                                : notFound(id))),
                            delete(() -> onSuccess(find(id), s -> expire(id, s)))))));
  }

  private Route create(String body) {
    Silence silence;
    Instant now = Instant.now();
    try {
      JsonNode json = Json.mapper().readTree(body);
      String id = json.hasNonNull("id") ? json.get("id").asText() : UUID.randomUUID().toString();
      if (!ID.matcher(id).matches()) {
        throw new InvalidFieldException("id", "must be 1 to 64 letters, digits, '.', '_' or '-'");
      }
      silence = SilenceCodec.parse(json, id, now);
      if (!silence.endsAt().isAfter(now)) {
        throw new InvalidFieldException("endsAt", "must be in the future");
      }
    } catch (JsonProcessingException e) {
      return complete(JsonSupport.notJson(e));
    } catch (InvalidFieldException e) {
      return complete(
          json(
              StatusCodes.BAD_REQUEST,
              ErrorBody.ofField(
                  "invalid silence: " + e.getMessage(),
                  e.field(),
                  e.getMessage().substring(e.field().length() + 2))));
    }
    return onSuccess(
        all(),
        list -> {
          long open =
              list.stream()
                  .filter(s -> s.endsAt().isAfter(now) && !s.id().equals(silence.id()))
                  .count();
          if (open >= MAX_SILENCES) {
            return complete(
                JsonSupport.error(
                    StatusCodes.CONFLICT,
                    "there are "
                        + open
                        + " silences not yet ended, the most a cluster keeps; expire some first"));
          }
          return onSuccess(
              save(silence).thenCompose(saved -> applied()),
              done -> complete(JsonSupport.ok(new Created(silence.id()))));
        });
  }

  private Route expire(String id, Optional<Silence> found) {
    if (found.isEmpty()) {
      return notFound(id);
    }
    Silence s = found.get();
    Instant now = Instant.now();
    CompletionStage<Void> done;
    if (now.isBefore(s.startsAt())) {
      done = store.deleteSilence(id);
    } else if (s.endsAt().isAfter(now)) {
      done = save(new Silence(s.id(), s.matchers(), s.startsAt(), now, s.createdBy(), s.comment()));
    } else {
      done = java.util.concurrent.CompletableFuture.completedFuture(null);
    }
    return onSuccess(done.thenCompose(saved -> applied()), ok -> complete(StatusCodes.NO_CONTENT));
  }

  private CompletionStage<Void> save(Silence s) {
    try {
      return store.saveSilence(
          s.id(), Json.mapper().writeValueAsString(SilenceCodec.written(s)), s.endsAt());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a silence is written as JSON", e);
    }
  }

  private CompletionStage<List<Silence>> all() {
    return store
        .silences()
        .thenApply(
            rows -> {
              List<Silence> out = new ArrayList<>();
              for (String row : rows) {
                try {
                  JsonNode json = Json.mapper().readTree(row);
                  out.add(SilenceCodec.parse(json, json.path("id").asText(), Instant.now()));
                } catch (JsonProcessingException | InvalidFieldException e) {
                  // one the notifier also skips (and logs); not the API's to fail on
                }
              }
              return out;
            });
  }

  private CompletionStage<Optional<Silence>> find(String id) {
    return all().thenApply(list -> list.stream().filter(s -> s.id().equals(id)).findFirst());
  }

  private static List<SilenceView> views(List<Silence> list) {
    Instant now = Instant.now();
    return list.stream()
        .sorted(Comparator.comparing(Silence::endsAt).reversed())
        .map(s -> SilenceView.of(s, now))
        .toList();
  }

  private Route notFound(String id) {
    return complete(
        JsonSupport.error(
            StatusCodes.NOT_FOUND,
            "no silence " + (id.length() > 64 ? id.substring(0, 64) + "…" : id)));
  }
}
