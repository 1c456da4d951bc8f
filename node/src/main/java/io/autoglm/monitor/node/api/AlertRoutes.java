package io.autoglm.monitor.node.api;

import io.autoglm.monitor.node.feed.AlertFeed;
import io.autoglm.monitor.notifier.route.Notifier;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
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
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /api/v1/alerts}: the alerts this node has seen, newest first. {@code GET
 * /api/v1/alerts/feed}: a WebSocket that sends {@code {"type":"hello"}} once connected, then one
 * {@code {"type":"alert","alert":{...}}} text message per alert, firing and resolved, as they
 * happen anywhere in the cluster. What the client sends is ignored. {@code POST
 * /api/v1/alerts/{fingerprint}/ack}: acknowledges a firing alert, which stops its escalation
 * ({@link AckResult}); 404 when no alert with that fingerprint is firing.
 */
public final class AlertRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final AlertFeed.Live feed;
  private final int clientBuffer;
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
      int clientBuffer,
      Duration timeout,
      ActorRef<Notifier.Command> notifier) {
    this.system = system;
    this.feed = feed;
    this.clientBuffer = clientBuffer;
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
                                optionalHeaderValueByName(
                                    "Sec-WebSocket-Protocol",
                                    offered ->
                                        handleWebSocketMessagesForOptionalProtocol(
                                            feedFlow(), feedProtocol(offered))))),
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

  private Flow<Message, Message, NotUsed> feedFlow() {
    Source<Message, NotUsed> out =
        Source.single(text(FeedMessage.HELLO))
            .concat(
                feed.source()
                    // a slow client loses its oldest alerts rather than slowing the feed for
                    // everyone
                    .buffer(clientBuffer, OverflowStrategy.dropHead())
                    .map(alert -> text(FeedMessage.of(alert))));
    return Flow.fromSinkAndSourceCoupled(Sink.ignore(), out);
  }

  private static Message text(FeedMessage message) {
    return TextMessage.create(Json.toJson(message));
  }

  private static AlertList listOf(List<Alert> alerts) {
    return new AlertList(alerts.stream().map(AlertView::of).toList());
  }
}
