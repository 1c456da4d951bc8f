package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.autoglm.monitor.node.feed.FeedConnection;

/**
 * One text message of the alert feed ({@code GET /api/v1/alerts/feed}):
 *
 * <ul>
 *   <li>{@code {"type":"hello","cursor":"..."}} once connected;
 *   <li>{@code {"type":"alert","alert":{...},"cursor":"..."}} per alert, with {@code
 *       "replayed":true} when it comes from a resume's catch-up;
 *   <li>{@code {"type":"caught-up","cursor":"...","missed":N}} when a resume ({@code ?after=}) has
 *       sent what was missed; live alerts follow;
 *   <li>{@code {"type":"gap","message":"..."}} when missed alerts will not be sent (more than the
 *       catch-up's limit, or the journal could not be read).
 * </ul>
 *
 * The cursor is opaque: a client that reconnects with {@code ?after=<cursor of the last message it
 * handled>} gets what it missed, then live alerts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FeedMessage(
    String type, AlertView alert, String cursor, Boolean replayed, Integer missed, String message) {

  public static FeedMessage of(FeedConnection.Event event) {
    if (event instanceof FeedConnection.AlertEvent a) {
      return new FeedMessage(
          "alert",
          AlertView.of(a.alert()),
          a.cursor().encode(),
          a.replayed() ? Boolean.TRUE : null,
          null,
          null);
    }
    if (event instanceof FeedConnection.Hello h) {
      return new FeedMessage("hello", null, h.cursor().encode(), null, null, null);
    }
    if (event instanceof FeedConnection.CaughtUp c) {
      return new FeedMessage("caught-up", null, c.cursor().encode(), null, c.replayed(), null);
    }
    FeedConnection.Gap g = (FeedConnection.Gap) event;
    return new FeedMessage("gap", null, null, null, null, g.message());
  }
}
