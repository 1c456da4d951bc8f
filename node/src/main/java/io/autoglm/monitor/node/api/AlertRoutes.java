package io.autoglm.monitor.node.api;

import io.autoglm.monitor.node.feed.AlertFeed;
import io.autoglm.monitor.node.feed.FeedConnection;
import io.autoglm.monitor.node.feed.FeedQuery;
import io.autoglm.monitor.notifier.route.Notifier;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /api/v1/alerts}: the alerts this node has seen, newest first. {@code GET
 * /api/v1/alerts/feed}: a WebSocket of the alerts as they happen anywhere in the cluster, firing
 * and resolved ({@link FeedMessage}), filtered by {@code ?severity=}, {@code ?endpoint=} and {@code
 * ?rule=}, resumed with {@code ?after=<cursor>} ({@link FeedQuery}, {@link FeedConnection}); a bad
 * parameter is a 400 naming it, a cursor too old to replay a 410. What the client sends is ignored;
 * the server pings an idle connection ({@code autoglm.http.feed.ping-interval}). {@code POST
 * /api/v1/alerts/{fingerprint}/ack}: acknowledges a firing alert, which stops its escalation
 * ({@link AckResult}); 404 when no alert with that fingerprint is firing.
 */
public final class AlertRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final AlertFeed.Live feed;
  private final Duration timeout;
  private final ActorRef<Notifier.Command> notifier;

  /** A fingerprint: the hex digits {@code Alert.fingerprint} writes. */
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{1,64}");

  /**
   * @param notifier the cluster's notifier (its singleton proxy)
   */
  public AlertRoutes(
      ActorSystem<?> system,
      AlertFeed.Live feed,
      Duration timeout,
      ActorRef<Notifier.Command> notifier) {
    this.system = system;
    this.feed = feed;
    this.timeout = timeout;
    this.notifier = notifier;
  }

  public Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("alerts"),
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                onSuccess(
                                    recent(), alerts -> complete(JsonSupport.ok(listOf(alerts)))))),
                path(
                    "feed",
                    () ->
                        get(
                            () ->
                                feedQuery(
                                    q ->
                                        optionalHeaderValueByName(
                                            "Sec-WebSocket-Protocol",
                                            offered ->
                                                handleWebSocketMessagesForOptionalProtocol(
                                                    feedFlow(q), feedProtocol(offered)))))),
                path(
                    PathMatchers.segment().slash("ack"),
                    fingerprint -> post(() -> acknowledge(fingerprint)))));
  }

  /** The subprotocol a browser offers with its token ({@link AccessControl}); none for programs. */
  static final String FEED_PROTOCOL = "autoglm.feed";

  private static java.util.Optional<String> feedProtocol(java.util.Optional<String> offered) {
    return offered
        .filter(
            h ->
                java.util.Arrays.stream(h.split(","))
                    .anyMatch(p -> p.trim().equalsIgnoreCase(FEED_PROTOCOL)))
        .map(h -> FEED_PROTOCOL);
  }

  private Route acknowledge(String fingerprint) {
    if (!FINGERPRINT.matcher(fingerprint).matches()) {
      return complete(
          JsonSupport.json(
              StatusCodes.BAD_REQUEST,
              ErrorBody.ofField(
                  "not an alert fingerprint: "
                      + (fingerprint.length() > 64
                          ? fingerprint.substring(0, 64) + "…"
                          : fingerprint),
                  "fingerprint",
                  "must be the fingerprint of an alert (hex digits)")));
    }
    CompletionStage<Notifier.Acknowledged> answer =
        AskPattern.ask(
            notifier,
            replyTo -> new Notifier.Acknowledge(fingerprint, replyTo),
            timeout,
            system.scheduler());
    return onSuccess(
        answer,
        a ->
            a.firing()
                ? complete(JsonSupport.ok(new AckResult(fingerprint, true, a.escalationStopped())))
                : complete(
                    JsonSupport.error(
                        StatusCodes.NOT_FOUND, "no firing alert has fingerprint " + fingerprint)));
  }

  private CompletionStage<List<Alert>> recent() {
    return AskPattern.ask(feed.feed(), AlertFeed.GetRecent::new, timeout, system.scheduler());
  }

  /** The feed's query parameters ({@link FeedQuery}), or a 400 / 410 naming the bad one. */
  private Route feedQuery(Function<FeedQuery, Route> inner) {
    return parameterMap(
        params -> {
          try {
            return inner.apply(
                FeedQuery.parse(
                    params, System.currentTimeMillis(), feed.settings().resumeMaxAge()));
          } catch (FeedQuery.Invalid e) {
            return complete(
                JsonSupport.json(
                    StatusCodes.get(e.status()),
                    ErrorBody.ofField(e.getMessage(), e.field(), e.reason())));
          }
        });
  }

  private Flow<Message, Message, NotUsed> feedFlow(FeedQuery query) {
    Source<Message, NotUsed> out =
        FeedConnection.source(system, feed, query, timeout)
            .map(event -> TextMessage.create(Json.toJson(FeedMessage.of(event))));
    return Flow.fromSinkAndSourceCoupled(Sink.ignore(), out);
  }

  private static AlertList listOf(List<Alert> alerts) {
    return new AlertList(alerts.stream().map(AlertView::of).toList());
  }
}
