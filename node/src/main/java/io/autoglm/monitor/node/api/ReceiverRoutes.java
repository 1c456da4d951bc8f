package io.autoglm.monitor.node.api;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.notifier.receiver.ChannelConfig;
import io.autoglm.monitor.notifier.receiver.Receiver;
import io.autoglm.monitor.notifier.route.LiveRouting;
import io.autoglm.monitor.notifier.route.RoutingReloader;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.RoutingDoc;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
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
 * Receivers and the route tree through the API, over the node's configuration ({@link
 * LiveRouting}), kept in Cassandra ({@code notifier_routing}):
 *
 * <ul>
 *   <li>{@code GET /api/v1/receivers}, {@code GET /api/v1/receivers/{name}}: each receiver in
 *       force, where it comes from ({@code config} or {@code api}) and its channels' types (no URL,
 *       header or secret: those stay where they were written);
 *   <li>{@code PUT /api/v1/receivers/{name}}: a receiver as the configuration takes it (the
 *       article's {@code alert_channels}), checked the same way (every field, the SSRF guard, the
 *       node's SMTP and SMS accounts); 201 new, 200 replaced; 400 names the field; 409 past {@value
 *       LiveRouting#MAX_RECEIVERS};
 *   <li>{@code DELETE /api/v1/receivers/{name}}: 409 while a route names it, or when it comes from
 *       the configuration;
 *   <li>{@code GET /api/v1/route}: the tree in force and where it comes from ({@code config},
 *       {@code api}, or {@code default}: the one webhook of a node without receivers);
 *   <li>{@code PUT /api/v1/route}: a tree as the configuration takes it, naming receivers in force;
 *       {@code DELETE /api/v1/route}: back to the configured one.
 * </ul>
 *
 * A change is answered once it applies on this node; the others read it within 5 s.
 */
public final class ReceiverRoutes extends AllDirectives {
  private static final long MAX_BODY_BYTES = 64 * 1024;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final ContentTypeCheck JSON_BODY = new ContentTypeCheck("application/json");

  /** A receiver in force, without what it keeps secret. */
  public record ReceiverView(
      String name,
      String source,
      List<String> channels,
      String language,
      String timezone,
      boolean sendResolved) {
    static ReceiverView of(Receiver r, String source) {
      return new ReceiverView(
          r.name(),
          source,
          r.channels().stream().map(ReceiverRoutes::typeOf).toList(),
          r.language(),
          r.timezone(),
          r.sendResolved());
    }
  }

  public record ReceiverList(List<ReceiverView> receivers) {}

  /** The route tree in force; {@code route} is null for the default routing. */
  public record RouteView(String source, JsonNode route) {}

  private final NotifierStore store;
  private final LiveRouting routing;
  private final ActorRef<RoutingReloader.Command> reloader;
  private final ActorSystem<?> system;
  private final Duration timeout;

  public ReceiverRoutes(
      NotifierStore store,
      LiveRouting routing,
      ActorRef<RoutingReloader.Command> reloader,
      ActorSystem<?> system,
      Duration timeout) {
    this.store = store;
    this.routing = routing;
    this.reloader = reloader;
    this.system = system;
    this.timeout = timeout;
  }

  static String typeOf(ChannelConfig c) {
    return c instanceof ChannelConfig.Sms sms ? "sms:" + sms.provider() : c.type();
  }

  public Route route() {
    return concat(
        pathPrefix(
            PathMatchers.segment("api").slash("v1").slash("receivers"),
            () ->
                concat(
                    pathEnd(() -> get(() -> complete(JsonSupport.ok(list())))),
                    path(
                        PathMatchers.segment(),
                        name ->
                            concat(
                                get(() -> complete(one(name))),
                                put(() -> body(json -> putReceiver(name, json))),
                                delete(() -> deleteReceiver(name)))))),
        path(
            PathMatchers.segment("api").slash("v1").slash("route"),
            () ->
                concat(
                    get(() -> complete(JsonSupport.ok(currentRoute()))),
                    put(() -> body(this::putRoute)),
                    delete(
                        () ->
                            applied(
                                () -> store.deleteRoutingDoc(RoutingDoc.ROUTE, RoutingDoc.ROUTE),
                                () -> complete(StatusCodes.NO_CONTENT))))));
  }

  private Route body(java.util.function.Function<JsonNode, Route> then) {
    return JSON_BODY.require(
        () ->
            withSizeLimit(
                MAX_BODY_BYTES,
                () ->
                    entity(
                        Unmarshaller.entityToString(),
                        text -> {
                          try {
                            return then.apply(Json.mapper().readTree(text));
                          } catch (JsonProcessingException e) {
                            return complete(JsonSupport.notJson(e));
                          }
                        })));
  }

  private ReceiverList list() {
    var now = routing.current();
    return new ReceiverList(
        now.routing().receivers().values().stream()
            .sorted(java.util.Comparator.comparing(Receiver::name))
            .map(r -> ReceiverView.of(r, sourceOf(now, r.name())))
            .toList());
  }

  private static String sourceOf(LiveRouting.Current now, String name) {
    return now.apiReceivers().containsKey(name) ? "api" : "config";
  }

  private org.apache.pekko.http.javadsl.model.HttpResponse one(String name) {
    var now = routing.current();
    Receiver r = now.routing().receivers().get(name);
    return r == null ? notFound(name) : JsonSupport.ok(ReceiverView.of(r, sourceOf(now, name)));
  }

  private RouteView currentRoute() {
    var now = routing.current();
    return switch (now.source()) {
      case API -> new RouteView("api", now.apiRoute());
      case CONFIG -> new RouteView("config", routing.baseRoute());
      default -> new RouteView("default", null);
    };
  }

  private Route putReceiver(String name, JsonNode json) {
    if (!NAME.matcher(name).matches()) {
      return invalid(
          "receiver", new InvalidFieldException("name", "must be 1 to 64 of A-Z a-z 0-9 . _ -"));
    }
    Receiver r;
    try {
      r = routing.receiver(name, json);
    } catch (InvalidFieldException e) {
      return invalid("receiver", e);
    }
    var now = routing.current();
    boolean existed = now.routing().receivers().containsKey(name);
    if (!now.apiReceivers().containsKey(name)
        && now.apiReceivers().size() >= LiveRouting.MAX_RECEIVERS) {
      return complete(
          JsonSupport.error(
              StatusCodes.CONFLICT,
              "there are "
                  + LiveRouting.MAX_RECEIVERS
                  + " receivers written through the API, the most a cluster keeps; delete one"
                  + " first"));
    }
    return applied(
        () -> store.saveRoutingDoc(RoutingDoc.RECEIVER, name, json.toString()),
        () ->
            complete(
                json(existed ? StatusCodes.OK : StatusCodes.CREATED, ReceiverView.of(r, "api"))));
  }

  private Route deleteReceiver(String name) {
    var now = routing.current();
    if (!now.routing().receivers().containsKey(name)) {
      return complete(notFound(name));
    }
    if (!now.apiReceivers().containsKey(name)) {
      return complete(
          JsonSupport.error(
              StatusCodes.CONFLICT,
              "receiver "
                  + name
                  + " comes from the node's configuration (autoglm.notifier.receivers)"));
    }
    List<String> naming = routing.routesNaming(name);
    if (!naming.isEmpty() && !routing.configured(name)) {
      return complete(
          JsonSupport.error(
              StatusCodes.CONFLICT,
              "receiver "
                  + name
                  + " is named by "
                  + String.join(", ", naming)
                  + ": change the route first"));
    }
    return applied(
        () -> store.deleteRoutingDoc(RoutingDoc.RECEIVER, name),
        () -> complete(StatusCodes.NO_CONTENT));
  }

  private Route putRoute(JsonNode json) {
    try {
      routing.route(json);
    } catch (InvalidFieldException e) {
      return invalid("route", e);
    }
    return applied(
        () -> store.saveRoutingDoc(RoutingDoc.ROUTE, RoutingDoc.ROUTE, json.toString()),
        () -> complete(JsonSupport.ok(currentRoute())));
  }

  /** Writes, has this node read the API's routing again, then answers. */
  private Route applied(Supplier<CompletionStage<Void>> write, Supplier<Route> then) {
    CompletionStage<Done> done =
        write
            .get()
            .thenCompose(
                ok ->
                    AskPattern.<RoutingReloader.Command, Done>ask(
                        reloader, RoutingReloader.Reload::new, timeout, system.scheduler()));
    return onSuccess(done, ok -> then.get());
  }

  private Route invalid(String what, InvalidFieldException e) {
    return complete(
        json(
            StatusCodes.BAD_REQUEST,
            ErrorBody.ofField(
                "invalid " + what + ": " + e.getMessage(),
                e.field(),
                e.getMessage()
                    .substring(Math.min(e.getMessage().length(), e.field().length() + 2)))));
  }

  private static org.apache.pekko.http.javadsl.model.HttpResponse notFound(String name) {
    return JsonSupport.error(
        StatusCodes.NOT_FOUND,
        "no receiver " + (name.length() > 64 ? name.substring(0, 64) + "…" : name));
  }
}
