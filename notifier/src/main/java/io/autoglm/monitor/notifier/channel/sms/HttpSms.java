package io.autoglm.monitor.notifier.channel.sms;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.github.mustachejava.Mustache;
import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import io.autoglm.monitor.notifier.template.MessageTemplates;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any SMS gateway with an HTTP API ({@code provider: http}): the node's configuration gives the
 * URL, method, headers (auth goes there: {@code Authorization: Bearer …} or {@code Basic …}),
 * content type and a Mustache body template; one request per message, or per phone ({@code
 * per-phone}). The template gets, each in three spellings ({@code x} as is, {@code x_json} escaped
 * for inside a JSON string, {@code x_url} form-encoded):
 *
 * <ul>
 *   <li>{@code text}: the message (the receiver's language, the SMS template);
 *   <li>{@code phone}: the phone (per phone), else the first; {@code phones}: all, comma-separated;
 *       {@code phones_json_array}: all as a JSON array;
 *   <li>{@code key}: the delivery's idempotency key, for gateways that de-duplicate;
 *   <li>{@code rule}, {@code severity}, {@code status}, {@code subject}, {@code metric}, {@code
 *       value}.
 * </ul>
 *
 * A 2xx answer is delivered (and, with {@code ok-body-contains}, only if the body contains it);
 * 408, 429 and 5xx are retried.
 */
public final class HttpSms {

  private final URI url;
  private final String method;
  private final Map<String, String> headers;
  private final String contentType;
  private final Mustache body;
  private final boolean perPhone;
  private final String okBodyContains;

  /**
   * @throws IllegalArgumentException naming what is wrong (the method, the template)
   */
  public HttpSms(
      URI url,
      String method,
      Map<String, String> headers,
      String contentType,
      String bodyTemplate,
      boolean perPhone,
      String okBodyContains) {
    if (!method.equals("POST") && !method.equals("PUT") && !method.equals("GET")) {
      throw new IllegalArgumentException("method: must be POST, PUT or GET, not " + method);
    }
    this.url = url;
    this.method = method;
    this.headers = Map.copyOf(headers);
    this.contentType = contentType;
    try {
      // values go in as they are: the template escapes them ({{text_json}}, {{text_url}})
      this.body = MessageTemplates.verbatim("body", bodyTemplate);
    } catch (MessageTemplates.InvalidTemplateException e) {
      throw new IllegalArgumentException("body: " + e.getMessage(), e);
    }
    this.perPhone = perPhone;
    this.okBodyContains = okBodyContains;
  }

  public boolean perPhone() {
    return perPhone;
  }

  /**
   * The request for {@code phones} (one phone when {@link #perPhone()}), saying {@code text}.
   *
   * @param variables the alert's (rule, severity, status, subject, metric, value)
   */
  public OutgoingRequest request(
      List<String> phones, String text, String key, Map<String, String> variables) {
    Map<String, Object> scope = new LinkedHashMap<>();
    Map<String, String> plain = new LinkedHashMap<>(variables);
    plain.put("text", text);
    plain.put("phone", phones.get(0));
    plain.put("phones", String.join(",", phones));
    plain.put("key", key);
    plain.forEach(
        (name, value) -> {
          scope.put(name, value);
          scope.put(name + "_json", jsonEscaped(value));
          scope.put(name + "_url", URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
    StringBuilder array = new StringBuilder("[");
    for (String p : phones) {
      array.append(array.length() > 1 ? "," : "").append('"').append(jsonEscaped(p)).append('"');
    }
    scope.put("phones_json_array", array.append(']').toString());
    StringWriter out = new StringWriter();
    body.execute(out, scope);
    return new OutgoingRequest(
        method, url, contentType, headers, out.toString().getBytes(StandardCharsets.UTF_8));
  }

  public Answer judge(int status, String responseBody) {
    Answer byStatus = Answer.ofStatus(status, responseBody);
    if (byStatus.delivered()
        && !okBodyContains.isEmpty()
        && !responseBody.contains(okBodyContains)) {
      return Answer.failed(
          false,
          "HTTP " + status + " without \"" + okBodyContains + "\": " + oneLine(responseBody));
    }
    return byStatus;
  }

  private static String oneLine(String s) {
    String line = s.strip().replaceAll("\\s+", " ");
    return line.length() <= 200 ? line : line.substring(0, 200) + "…";
  }

  /** {@code s} escaped for inside a JSON string (Jackson's encoder). */
  static String jsonEscaped(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }
}
