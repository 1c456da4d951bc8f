package io.autoglm.monitor.notifier.channel.robot;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A DingTalk group's custom robot (钉钉自定义机器人): a markdown message POSTed to its webhook ({@code
 * https://oapi.dingtalk.com/robot/send?access_token=…}). With a signing secret ("加签"), the URL also
 * carries {@code timestamp} (epoch ms) and {@code sign}: the HmacSHA256 of {@code timestamp + "\n"
 * + secret} keyed by the secret, base64, URL-encoded. Mentioned phone numbers go in {@code
 * at.atMobiles} and, as DingTalk requires, as {@code @number} in the text. It answers HTTP 200 with
 * {@code {"errcode": 0, "errmsg": "ok"}} when it took the message; 130101 means sent too fast
 * (worth retrying).
 */
public record DingTalkRobot(URI webhook, String secret) implements ChatRobot {

  record Body(String msgtype, Markdown markdown, At at) {}

  record Markdown(String title, String text) {}

  record At(List<String> atMobiles, @JsonProperty("isAtAll") boolean isAtAll) {}

  @Override
  public OutgoingRequest request(ChatMessage message, long nowMillis) {
    StringBuilder text = new StringBuilder(message.markdown());
    if (!message.mentions().isEmpty()) {
      text.append("\n\n");
      message.mentions().forEach(m -> text.append('@').append(m).append(' '));
    }
    byte[] body =
        Json.toBytes(
            new Body(
                "markdown",
                new Markdown(message.title(), text.toString().strip()),
                new At(message.mentions(), false)));
    return new OutgoingRequest("POST", signedUrl(nowMillis), "application/json", Map.of(), body);
  }

  /** The webhook with {@code timestamp} and {@code sign} when the robot has a secret. */
  URI signedUrl(long nowMillis) {
    if (secret == null || secret.isEmpty()) {
      return webhook;
    }
    String url = webhook.toString();
    return URI.create(
        url
            + (url.contains("?") ? "&" : "?")
            + "timestamp="
            + nowMillis
            + "&sign="
            + URLEncoder.encode(sign(nowMillis, secret), StandardCharsets.UTF_8));
  }

  /** DingTalk's signature of {@code timestamp}, base64 (not yet URL-encoded). */
  static String sign(long timestampMillis, String secret) {
    return Base64.getEncoder()
        .encodeToString(Hmac.sha256(Hmac.utf8(secret), Hmac.utf8(timestampMillis + "\n" + secret)));
  }

  @Override
  public Answer judge(int status, String body) {
    if (status != 200) {
      return Answer.ofStatus(status, body);
    }
    return ErrCode.judge(body, "errcode", "errmsg", 130101);
  }

  /** The {@code errcode}/{@code errmsg} answers DingTalk and WeCom give with HTTP 200. */
  static final class ErrCode {
    private ErrCode() {}

    static Answer judge(String body, String codeField, String messageField, int... retryable) {
      JsonNode answer;
      try {
        answer = Json.mapper().readTree(body);
      } catch (IOException e) {
        return Answer.failed(true, "not a JSON answer: " + Answer.abbreviate(body));
      }
      if (answer == null || !answer.path(codeField).isNumber()) {
        return Answer.failed(
            true, "no " + codeField + " in the answer: " + Answer.abbreviate(body));
      }
      int code = answer.get(codeField).asInt();
      if (code == 0) {
        return Answer.DELIVERED;
      }
      boolean again = false;
      for (int r : retryable) {
        again |= r == code;
      }
      return Answer.failed(
          again, codeField + " " + code + ": " + answer.path(messageField).asText(""));
    }
  }
}
