package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.node.feed.AlertFeed;
import io.autoglm.monitor.protocols.alert.Alert;
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
                                    recent(),
                                    alerts -> complete(JsonSupport.ok(listJson(alerts)))))),
                path("feed", () -> get(() -> handleWebSocketMessages(feedFlow())))));
  }

  private CompletionStage<List<Alert>> recent() {
    return AskPattern.ask(feed.feed(), AlertFeed.GetRecent::new, timeout, system.scheduler());
  }

  private Flow<Message, Message, NotUsed> feedFlow() {
    ObjectNode hello = JsonSupport.object();
    hello.put("type", "hello");
    Source<Message, NotUsed> out =
        Source.single(text(hello))
            .concat(
                feed.source()
                    // a slow client loses its oldest alerts rather than slowing the feed for
                    // everyone
                    .buffer(clientBuffer, OverflowStrategy.dropHead())
                    .map(alert -> text(AlertJson.feedMessage(alert))));
    return Flow.fromSinkAndSourceCoupled(Sink.ignore(), out);
  }

  private static Message text(ObjectNode json) {
    try {
      return TextMessage.create(JsonSupport.MAPPER.writeValueAsString(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode listJson(List<Alert> alerts) {
    ObjectNode body = JsonSupport.object();
    ArrayNode list = body.putArray("alerts");
    alerts.forEach(a -> list.add(AlertJson.of(a)));
    return body;
  }
}
