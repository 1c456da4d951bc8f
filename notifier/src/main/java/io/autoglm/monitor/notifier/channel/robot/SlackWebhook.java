package io.autoglm.monitor.notifier.channel.robot;

import io.autoglm.monitor.protocols.json.Json;
import java.net.URI;
import java.util.Map;

/**
 * A Slack incoming webhook ({@code https://hooks.slack.com/services/…}): {@code {"text": …}} in
 * Slack's mrkdwn, the title in bold on the first line; mentions as {@code <@U…>} (Slack member
 * ids). Slack answers 200 {@code ok}, 4xx with a reason ({@code invalid_payload}, {@code
 * no_service}, …), 429 when over its rate limit.
 */
public record SlackWebhook(URI webhook) implements ChatRobot {

  record Body(String text) {}

  @Override
  public OutgoingRequest request(ChatMessage message, long nowMillis) {
    StringBuilder text = new StringBuilder("*").append(message.title()).append("*\n");
    text.append(message.markdown());
    if (!message.mentions().isEmpty()) {
      text.append('\n');
      message.mentions().forEach(m -> text.append("<@").append(m).append("> "));
    }
    return new OutgoingRequest(
        "POST",
        webhook,
        "application/json",
        Map.of(),
        Json.toBytes(new Body(text.toString().strip())));
  }

  @Override
  public Answer judge(int status, String body) {
    return Answer.ofStatus(status, body);
  }
}
