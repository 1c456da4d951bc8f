package io.autoglm.monitor.node.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every route of the HTTP API, with the role it needs: the one table that authorization, the
 * OpenAPI document and the tests read. A request whose method and path match no entry is answered
 * 404 (or 405 when only the method differs) before any route sees it, so a route missing here is
 * unreachable rather than open.
 *
 * <p>Templates are path segments; {@code {name}} matches one non-empty segment (an endpoint id is
 * one URL-encoded segment, e.g. {@code default%2Fv1%2Fchat%2Fcompletions}).
 */
public final class ApiAccess {
  private ApiAccess() {}

  /**
   * Who may call a route. {@code VIEWER < EDITOR < ADMIN}: a role may do what the ones before it
   * may. {@code AGENT} may only ingest (and an admin may ingest too). {@code PUBLIC} needs no
   * token.
   */
  public enum Role {
    PUBLIC,
    VIEWER,
    EDITOR,
    ADMIN,
    AGENT;

    /** Whether a token of this role may call a route that needs {@code needed}. */
    public boolean mayCall(Role needed) {
      return switch (needed) {
        case PUBLIC -> true;
        case AGENT -> this == AGENT || this == ADMIN;
        case VIEWER, EDITOR, ADMIN ->
            this != AGENT && this != PUBLIC && ordinal() >= needed.ordinal();
      };
    }

    /** The role's name in tokens, answers and the CLI: {@code viewer}, {@code editor}, ... */
    @com.fasterxml.jackson.annotation.JsonValue
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The role a token may be given ({@code public} is none), or empty. */
    public static Optional<Role> ofToken(String label) {
      for (Role r : values()) {
        if (r != PUBLIC && r.label().equals(label)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  /** One route: method, path template, the role it needs, and a line for the OpenAPI document. */
  public record Entry(String method, String template, Role role, String summary) {
    List<String> segments() {
      return List.of(template.substring(1).split("/"));
    }

    boolean matchesPath(List<String> path) {
      List<String> t = segments();
      if (t.size() != path.size()) {
        return false;
      }
      for (int i = 0; i < t.size(); i++) {
        String s = t.get(i);
        boolean variable = s.startsWith("{");
        if (variable ? path.get(i).isEmpty() : !s.equals(path.get(i))) {
          return false;
        }
      }
      return true;
    }

    /** How specific the template is: literal segments count, for "watch" over "{id}". */
    int literals() {
      return (int) segments().stream().filter(s -> !s.startsWith("{")).count();
    }
  }

  private static final List<Entry> ROUTES =
      List.of(
          // public: liveness for load balancers; the console's files hold no data
          new Entry("GET", "/health", Role.PUBLIC, "Whether this node is an Up cluster member"),
          new Entry(
              "GET",
              "/metrics",
              Role.VIEWER,
              "Prometheus metrics (no token needed with autoglm.metrics.open = on)"),
          new Entry("GET", "/api/v1/whoami", Role.VIEWER, "The calling token's id, name and role"),
          new Entry("GET", "/api/v1/openapi.json", Role.VIEWER, "This API as OpenAPI 3"),
          // ingest: agents
          new Entry("POST", "/api/v1/ingest", Role.AGENT, "Ingest NDJSON capture records"),
          new Entry(
              "GET",
              "/api/v1/ingest/stream",
              Role.AGENT,
              "The agent stream (WebSocket): batches in, acks out"),
          // rules
          new Entry("GET", "/api/v1/rules", Role.VIEWER, "All rules"),
          new Entry(
              "PUT", "/api/v1/rules", Role.EDITOR, "Replace the rule set with a YAML or JSON file"),
          new Entry("GET", "/api/v1/rules/{id}", Role.VIEWER, "One rule"),
          new Entry("PUT", "/api/v1/rules/{id}", Role.EDITOR, "Create or replace a rule"),
          new Entry("DELETE", "/api/v1/rules/{id}", Role.EDITOR, "Delete a rule"),
          // statistics
          new Entry("GET", "/api/v1/endpoints", Role.VIEWER, "The endpoints seen"),
          new Entry("GET", "/api/v1/endpoints/{id}/stats", Role.VIEWER, "An endpoint's windows"),
          new Entry("GET", "/api/v1/endpoints/{id}/series", Role.VIEWER, "An endpoint's series"),
          new Entry(
              "GET", "/api/v1/endpoints/{id}/top-ips", Role.VIEWER, "An endpoint's top source IPs"),
          new Entry("GET", "/api/v1/ips", Role.VIEWER, "The source IPs tracked"),
          new Entry("GET", "/api/v1/ips/watch", Role.VIEWER, "Per-IP watch rules"),
          new Entry("GET", "/api/v1/ips/watch/{id}", Role.VIEWER, "One per-IP watch rule"),
          new Entry("PUT", "/api/v1/ips/watch/{id}", Role.EDITOR, "Create or replace a watch"),
          new Entry("DELETE", "/api/v1/ips/watch/{id}", Role.EDITOR, "Delete a watch"),
          new Entry("GET", "/api/v1/ips/{id}/stats", Role.VIEWER, "A source IP's windows"),
          new Entry("GET", "/api/v1/ips/{id}/series", Role.VIEWER, "A source IP's series"),
          // alerts
          new Entry("GET", "/api/v1/alerts", Role.VIEWER, "Recent alerts"),
          new Entry(
              "GET",
              "/api/v1/alerts/feed",
              Role.VIEWER,
              "Live alerts (WebSocket), filters, resume"),
          new Entry(
              "POST", "/api/v1/alerts/{fingerprint}/ack", Role.EDITOR, "Acknowledge an alert"),
          new Entry("GET", "/api/v1/notifications", Role.VIEWER, "Notification audit"),
          new Entry("GET", "/api/v1/notifications/summary", Role.VIEWER, "Audit per receiver"),
          new Entry("GET", "/api/v1/silences", Role.VIEWER, "Silences"),
          new Entry("POST", "/api/v1/silences", Role.EDITOR, "Create a silence"),
          new Entry("GET", "/api/v1/silences/{id}", Role.VIEWER, "One silence"),
          new Entry("DELETE", "/api/v1/silences/{id}", Role.EDITOR, "Expire a silence"),
          new Entry("GET", "/api/v1/receivers", Role.VIEWER, "Receivers"),
          new Entry("GET", "/api/v1/receivers/{name}", Role.VIEWER, "One receiver"),
          new Entry("PUT", "/api/v1/receivers/{name}", Role.EDITOR, "Create or replace a receiver"),
          new Entry("DELETE", "/api/v1/receivers/{name}", Role.EDITOR, "Delete a receiver"),
          new Entry("GET", "/api/v1/route", Role.VIEWER, "The routing tree"),
          new Entry("PUT", "/api/v1/route", Role.EDITOR, "Replace the routing tree"),
          new Entry("DELETE", "/api/v1/route", Role.EDITOR, "Back to the configured routing tree"),
          // cluster and tokens
          new Entry("GET", "/api/v1/cluster", Role.VIEWER, "Members, data centers, shards"),
          new Entry(
              "PUT", "/api/v1/cluster/blackholes/{address}", Role.ADMIN, "Drill: cut a member off"),
          new Entry(
              "DELETE", "/api/v1/cluster/blackholes/{address}", Role.ADMIN, "Drill: heal a member"),
          new Entry("GET", "/api/v1/tokens", Role.ADMIN, "API tokens (never their secrets)"),
          new Entry("POST", "/api/v1/tokens", Role.ADMIN, "Create a token; its secret shown once"),
          new Entry("DELETE", "/api/v1/tokens/{id}", Role.ADMIN, "Revoke a token"));

  /** Every route, in the order above. */
  public static List<Entry> routes() {
    return ROUTES;
  }

  /** What the table says about a request. */
  public sealed interface Match {}

  /** The route, and so the role it needs. */
  public record Found(Entry entry) implements Match {}

  /** The path is a route's, the method none of its: the methods it takes. */
  public record WrongMethod(List<String> allowed) implements Match {}

  /** No route has this path. */
  public record NoRoute() implements Match {}

  /**
   * The entry for {@code method} on the decoded path segments (no leading empty segment); {@code
   * HEAD} is looked up as {@code GET}, {@code OPTIONS} (a CORS preflight) as any method.
   */
  public static Match match(String method, List<String> path) {
    String m = method.equals("HEAD") ? "GET" : method;
    Entry best = null;
    List<String> allowed = new ArrayList<>();
    for (Entry e : ROUTES) {
      if (!e.matchesPath(path)) {
        continue;
      }
      allowed.add(e.method());
      if ((e.method().equals(m) || m.equals("OPTIONS"))
          && (best == null || e.literals() > best.literals())) {
        best = e;
      }
    }
    if (best != null) {
      return new Found(best);
    }
    return allowed.isEmpty() ? new NoRoute() : new WrongMethod(List.copyOf(allowed));
  }
}
