package io.autoglm.monitor.notifier.channel.robot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.autoglm.monitor.protocols.json.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A Feishu (Lark) group's custom bot: a rich-text ({@code post}) message POSTed to {@code
 * https://open.feishu.cn/open-apis/bot/v2/hook/…}, one paragraph per line of the text, mentioned
 * user ids ({@code ou_…}) as {@code at} elements on a last line. With a signing secret the body
 * also carries {@code timestamp} (epoch seconds, as text) and {@code sign}: the HmacSHA256 of no
 * bytes keyed by {@code timestamp + "\n" + secret}, base64. It answers {@code {"code": 0, …}} when
 * it took the message (older bots {@code {"StatusCode": 0, …}}); 11232 means sent too fast.
 */
public record FeishuRobot(URI webhook, String secret) implements ChatRobot {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Body(
      String timestamp, String sign, @JsonProperty("msg_type") String msgType, Content content) {}

  record Content(Post post) {}

  record Post(@JsonProperty("zh_cn") Paragraphs zhCn) {}

  record Paragraphs(String title, List<List<Element>> content) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Element(String tag, String text, @JsonProperty("user_id") String userId) {}

  @Override
  public OutgoingRequest request(ChatMessage message, long nowMillis) {
    List<List<Element>> lines = new ArrayList<>();
    for (String line : message.markdown().split("\n", -1)) {
      lines.add(List.of(new Element("text", line, null)));
    }
    if (!message.mentions().isEmpty()) {
      lines.add(message.mentions().stream().map(id -> new Element("at", null, id)).toList());
    }
    boolean signed = secret != null && !secret.isEmpty();
    long seconds = nowMillis / 1000;
    Body body =
        new Body(
            signed ? Long.toString(seconds) : null,
            signed ? sign(seconds, secret) : null,
            "post",
            new Content(new Post(new Paragraphs(message.title(), lines))));
    return new OutgoingRequest("POST", webhook, "application/json", Map.of(), Json.toBytes(body));
  }

  /** Feishu's signature for {@code timestampSeconds}, base64. */
  static String sign(long timestampSeconds, String secret) {
    return Base64.getEncoder()
        .encodeToString(Hmac.sha256(Hmac.utf8(timestampSeconds + "\n" + secret), new byte[0]));
  }

  @Override
  public Answer judge(int status, String body) {
    if (status != 200) {
      return Answer.ofStatus(status, body);
    }
    String field = body.contains("\"StatusCode\"") ? "StatusCode" : "code";
    return DingTalkRobot.ErrCode.judge(
        body, field, field.equals("code") ? "msg" : "StatusMessage", 11232);
  }
}
