package io.autoglm.monitor.node.api;

import io.autoglm.monitor.node.feed.AlertFeed;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
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
 * happen anywhere in the cluster. What the client sends is ignored.
 */
public final class AlertRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final AlertFeed.Live feed;
  private final int clientBuffer;
  private final Duration timeout;

  public AlertRoutes(
      ActorSystem<?> system, AlertFeed.Live feed, int clientBuffer, Duration timeout) {
    this.system = system;
    this.feed = feed;
    this.clientBuffer = clientBuffer;
    this.timeout = timeout;
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
                path("feed", () -> get(() -> handleWebSocketMessages(feedFlow())))));
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
