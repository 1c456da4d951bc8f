package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.autoglm.monitor.protocols.alert.Alert;

/**
 * One text message of the alert feed ({@code GET /api/v1/alerts/feed}): {@code {"type":"hello"}}
 * once connected, then {@code {"type":"alert","alert":{...}}} per alert.
 *
 * @param alert left out of the hello
 */
public record FeedMessage(String type, @JsonInclude(JsonInclude.Include.NON_NULL) AlertView alert) {

  public static final FeedMessage HELLO = new FeedMessage("hello", null);

  public static FeedMessage of(Alert alert) {
    return new FeedMessage("alert", AlertView.of(alert));
  }
}
