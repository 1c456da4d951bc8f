package io.autoglm.monitor.notifier.channel.sms;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Aliyun SMS ({@code SendSms}, API version 2017-05-25, {@code https://dysmsapi.aliyuncs.com/}): a
 * form POST of the request's parameters, signed the RPC way: the parameters sorted by name and
 * percent-encoded (RFC 3986: space {@code %20}, {@code *} {@code %2A}, {@code ~} as is) make the
 * canonical query; {@code POST&%2F&} + its encoding is signed with HMAC-SHA1 keyed by the access
 * key secret + {@code &}, base64. The template's variables go as JSON in {@code TemplateParam}.
 * Aliyun answers {@code {"Code": "OK", …}} when it took the message; throttling codes are worth
 * retrying, others (a wrong signature or template) are not.
 */
public record AliyunSms(
    URI endpoint,
    String accessKeyId,
    String accessKeySecret,
    String regionId,
    String signName,
    String templateCode) {

  public static final URI DEFAULT_ENDPOINT = URI.create("https://dysmsapi.aliyuncs.com/");

  /** The SendSms request to {@code phones} with the template's {@code variables}. */
  public OutgoingRequest request(
      List<String> phones, Map<String, String> variables, Instant now, String nonce) {
    return request(phones, variables, now, nonce, null);
  }

  /**
   * {@link #request(List, Map, Instant, String)} with {@code OutId}, Aliyun's field for the
   * sender's own id of the message (the delivery's idempotency key: it comes back in Aliyun's
   * delivery receipts); null: none. {@code nonce} must differ on every attempt (Aliyun refuses a
   * nonce seen within 15 minutes).
   */
  public OutgoingRequest request(
      List<String> phones, Map<String, String> variables, Instant now, String nonce, String outId) {
    Map<String, String> params = new TreeMap<>();
    if (outId != null) {
      params.put("OutId", outId);
    }
    params.put("AccessKeyId", accessKeyId);
    params.put("Action", "SendSms");
    params.put("Format", "JSON");
    params.put("PhoneNumbers", String.join(",", phones));
    params.put("RegionId", regionId);
    params.put("SignName", signName);
    params.put("SignatureMethod", "HMAC-SHA1");
    params.put("SignatureNonce", nonce);
    params.put("SignatureVersion", "1.0");
    params.put("TemplateCode", templateCode);
    params.put("TemplateParam", Json.toJson(new TreeMap<>(variables)));
    params.put("Timestamp", now.truncatedTo(ChronoUnit.SECONDS).toString());
    params.put("Version", "2017-05-25");
    String signature = signature("POST", params, accessKeySecret);
    String form = canonicalQuery(params) + "&Signature=" + percentEncode(signature);
    return new OutgoingRequest(
        "POST",
        endpoint,
        "application/x-www-form-urlencoded",
        Map.of(),
        form.getBytes(StandardCharsets.UTF_8));
  }

  /** The RPC signature of {@code params} (sorted by name) for {@code method}, base64. */
  static String signature(String method, Map<String, String> params, String secret) {
    String toSign = method + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(params));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec((secret + "&").getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
  }

  private static String canonicalQuery(Map<String, String> params) {
    StringBuilder q = new StringBuilder();
    new TreeMap<>(params)
        .forEach(
            (k, v) ->
                q.append(q.length() == 0 ? "" : "&")
                    .append(percentEncode(k))
                    .append('=')
                    .append(percentEncode(v)));
    return q.toString();
  }

  static String percentEncode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~");
  }

  /** What Aliyun's answer means. */
  public Answer judge(int status, String body) {
    JsonNode answer;
    try {
      answer = Json.mapper().readTree(body);
    } catch (IOException e) {
      answer = null;
    }
    String code = answer == null ? "" : answer.path("Code").asText("");
    if (status == 200 && code.equals("OK")) {
      return Answer.DELIVERED;
    }
    if (code.isEmpty()) {
      return Answer.ofStatus(status == 200 ? 502 : status, body);
    }
    boolean retryable =
        code.equals("Throttling")
            || code.startsWith("Throttling.")
            || code.equals("isv.BUSINESS_LIMIT_CONTROL")
            || code.equals("ServiceUnavailable")
            || status >= 500;
    return Answer.failed(retryable, code + ": " + answer.path("Message").asText(""));
  }
}
