package io.autoglm.monitor.notifier.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.notifier.deliver.Providers;
import io.autoglm.monitor.notifier.net.UrlGuard;
import io.autoglm.monitor.notifier.receiver.Receiver;
import io.autoglm.monitor.notifier.receiver.ReceiverCodec;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.RoutingDoc;
import io.autoglm.monitor.protocols.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing a node sends by now: its configuration's ({@code autoglm.notifier.receivers} and
 * {@code route}, or the one webhook of a node without receivers), with what the API wrote over it.
 * A receiver written through the API replaces the configured one of its name or adds one; a route
 * tree written through the API replaces the configured one. The API's are kept in Cassandra ({@code
 * notifier_routing}); each node reads them again every few seconds, and at once after an API change
 * it took ({@link #apply}).
 *
 * <p>Every document is checked before it is stored (the checks below), so one that no longer reads
 * (e.g. its URL refused by a changed allow-list) is skipped, with a warning.
 */
public final class LiveRouting implements Supplier<Routing> {
  private static final Logger LOG = LoggerFactory.getLogger(LiveRouting.class);

  /** The most receivers the API keeps. */
  public static final int MAX_RECEIVERS = 256;

  /** Where the route tree in force comes from. */
  public enum Source {
    /** {@code autoglm.notifier.route}. */
    CONFIG,
    /** No receivers configured: the webhook of {@code autoglm.notifier.webhook.url}, or none. */
    DEFAULT,
    /** {@code PUT /api/v1/route}. */
    API
  }

  /**
   * The routing in force, the API's documents it came from, and where its route came from.
   *
   * @param apiReceivers the API's receivers by name, as JSON
   * @param apiRoute the API's route tree, or null
   */
  public record Current(
      Routing routing, Map<String, JsonNode> apiReceivers, JsonNode apiRoute, Source source) {}

  private final Routing base;
  private final Source baseSource;
  private final JsonNode baseRoute;
  private final UrlGuard guard;
  private final Providers providers;
  private final AtomicReference<Current> current;

  /**
   * @param base the configuration's routing
   * @param baseRoute the configuration's route tree as JSON (null: the default routing)
   */
  public LiveRouting(Routing base, JsonNode baseRoute, UrlGuard guard, Providers providers) {
    this.base = base;
    this.baseRoute = baseRoute;
    this.baseSource = baseRoute == null ? Source.DEFAULT : Source.CONFIG;
    this.guard = guard;
    this.providers = providers;
    this.current = new AtomicReference<>(new Current(base, Map.of(), null, baseSource));
  }

  @Override
  public Routing get() {
    return current.get().routing();
  }

  public Current current() {
    return current.get();
  }

  /** The configuration's route tree as JSON, or null for the default routing. */
  public JsonNode baseRoute() {
    return baseRoute;
  }

  /** Whether receiver {@code name} comes from the node's configuration. */
  public boolean configured(String name) {
    return base.receivers().containsKey(name);
  }

  /** Makes the configuration plus {@code docs} the routing in force, and returns it. */
  public Current apply(List<RoutingDoc> docs) {
    Map<String, JsonNode> receiversJson = new LinkedHashMap<>();
    Map<String, Receiver> receivers = new LinkedHashMap<>(base.receivers());
    JsonNode routeJson = null;
    for (RoutingDoc d : docs) {
      try {
        JsonNode json = Json.mapper().readTree(d.json());
        if (d.kind().equals(RoutingDoc.RECEIVER)) {
          receivers.put(d.name(), receiver(d.name(), json));
          receiversJson.put(d.name(), json);
        } else if (d.kind().equals(RoutingDoc.ROUTE)) {
          routeJson = json;
        }
      } catch (Exception e) {
        LOG.warn("Stored {} {} no longer reads, skipped: {}", d.kind(), d.name(), e.getMessage());
      }
    }
    Route route = base.route();
    Source source = baseSource;
    if (routeJson != null) {
      try {
        route = RouteCodec.parse(routeJson, receivers.keySet());
        source = Source.API;
      } catch (InvalidFieldException e) {
        LOG.warn(
            "The stored route tree no longer reads, the configured one applies: {}",
            e.getMessage());
        routeJson = null;
      }
    }
    Current next =
        new Current(new Routing(route, receivers), Map.copyOf(receiversJson), routeJson, source);
    current.set(next);
    return next;
  }

  /**
   * Receiver {@code name} from the API's JSON, checked as one from the configuration (every field,
   * the SSRF guard, the node's providers for its channels); an {@link InvalidFieldException} names
   * the field.
   */
  public Receiver receiver(String name, JsonNode json) {
    if (!json.isObject()) {
      throw new InvalidFieldException("receiver", "must be a JSON object");
    }
    JsonNode given = json.get("name");
    if (given != null && !given.asText().equals(name)) {
      throw new InvalidFieldException("name", "must be the name in the path (" + name + ")");
    }
    ObjectNode named = ((ObjectNode) json).deepCopy();
    named.put("name", name);
    Receiver r = ReceiverCodec.parse(named, guard);
    try {
      new Routing(base.route(), Map.of(name, r)).requireProviders(providers);
    } catch (IllegalArgumentException e) {
      // "autoglm.notifier.receivers (receiver r, alert_channels[1]): email needs an SMTP ..."
      var m =
          java.util.regex.Pattern.compile("(alert_channels\\[\\d+\\])\\): (.*)")
              .matcher(e.getMessage());
      throw m.find()
          ? new InvalidFieldException(m.group(1), m.group(2))
          : new InvalidFieldException("alert_channels", e.getMessage());
    }
    return r;
  }

  /** The route tree from the API's JSON, against the receivers in force. */
  public Route route(JsonNode json) {
    return RouteCodec.parse(json, get().receivers().keySet());
  }

  /** The paths of the routes in force that name {@code receiver} (empty: none does). */
  public List<String> routesNaming(String receiver) {
    List<String> out = new ArrayList<>();
    collect(get().route(), "route", receiver, out);
    return out;
  }

  private static void collect(Route r, String path, String receiver, List<String> out) {
    Set<String> named = new TreeSet<>();
    if (r.receiver() != null) {
      named.add(r.receiver());
    }
    named.addAll(r.failover());
    named.addAll(r.escalation());
    if (named.contains(receiver)) {
      out.add(path);
    }
    for (int i = 0; i < r.routes().size(); i++) {
      collect(r.routes().get(i), path + ".routes[" + i + "]", receiver, out);
    }
  }
}
