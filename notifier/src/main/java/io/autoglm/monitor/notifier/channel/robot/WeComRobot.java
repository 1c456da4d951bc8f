package io.autoglm.monitor.notifier.channel.robot;

import io.autoglm.monitor.protocols.json.Json;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A WeCom group robot (企业微信群机器人): POSTed to {@code
 * https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…}. Without mentions, one markdown message
 * ({@code {"msgtype": "markdown", "markdown": {"content": …}}}, the title as a heading); WeCom's
 * markdown cannot mention by phone number, so with mentions it is a text message with {@code
 * mentioned_mobile_list}. It answers HTTP 200 with {@code {"errcode": 0, "errmsg": "ok"}} when it
 * took the message; 45009 means over its rate limit (worth retrying).
 */
public record WeComRobot(URI webhook) implements ChatRobot {

  record MarkdownBody(String msgtype, Markdown markdown) {}

  record Markdown(String content) {}

  record TextBody(String msgtype, Text text) {}

  record Text(
      String content,
      @com.fasterxml.jackson.annotation.JsonProperty("mentioned_mobile_list")
          List<String> mentionedMobileList) {}

  @Override
  public OutgoingRequest request(ChatMessage message, long nowMillis) {
    Object body =
        message.mentions().isEmpty()
            ? new MarkdownBody(
                "markdown", new Markdown("## " + message.title() + "\n" + message.markdown()))
            : new TextBody(
                "text", new Text(message.title() + "\n" + message.markdown(), message.mentions()));
    return new OutgoingRequest("POST", webhook, "application/json", Map.of(), Json.toBytes(body));
  }

  @Override
  public Answer judge(int status, String body) {
    if (status != 200) {
      return Answer.ofStatus(status, body);
    }
    return DingTalkRobot.ErrCode.judge(body, "errcode", "errmsg", 45009);
  }
}
