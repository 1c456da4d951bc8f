package io.autoglm.monitor.notifier.channel.sms;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Twilio Programmable Messaging: one form POST per recipient to {@code
 * https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json} ({@code To}, {@code From},
 * {@code Body}) with HTTP Basic auth of the account SID and auth token. Twilio answers 201 with the
 * message resource when it queued the message, 4xx with {@code {"code": …, "message": …}} when it
 * refuses it, 429 when over its rate limit.
 */
public record TwilioSms(URI apiBase, String accountSid, String authToken, String from) {

  public static final URI DEFAULT_API = URI.create("https://api.twilio.com");

  public OutgoingRequest request(String to, String text) {
    String form = "To=" + encode(to) + "&From=" + encode(from) + "&Body=" + encode(text);
    String auth =
        Base64.getEncoder()
            .encodeToString((accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
    return new OutgoingRequest(
        "POST",
        apiBase.resolve("/2010-04-01/Accounts/" + encode(accountSid) + "/Messages.json"),
        "application/x-www-form-urlencoded",
        Map.of("Authorization", "Basic " + auth),
        form.getBytes(StandardCharsets.UTF_8));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  public Answer judge(int status, String body) {
    if (status >= 200 && status < 300) {
      return Answer.DELIVERED;
    }
    JsonNode answer;
    try {
      answer = Json.mapper().readTree(body);
    } catch (IOException e) {
      answer = null;
    }
    if (answer == null || !answer.has("code")) {
      return Answer.ofStatus(status, body);
    }
    Answer byStatus = Answer.ofStatus(status, "");
    return Answer.failed(
        byStatus.retryable(),
        "HTTP "
            + status
            + ", Twilio "
            + answer.path("code").asText()
            + ": "
            + answer.path("message").asText(""));
  }
}
