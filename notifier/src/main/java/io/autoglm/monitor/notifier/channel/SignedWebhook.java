package io.autoglm.monitor.notifier.channel;

import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import io.autoglm.monitor.notifier.deliver.Notification;
import io.autoglm.monitor.protocols.alert.Alert;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook's request: the Alertmanager (v4) payload, with {@code X-AutoGLM-Delivery-Id} (the
 * idempotency key: the same for every attempt and every copy of one alert change), {@code
 * X-AutoGLM-Timestamp} (epoch seconds of this attempt) and, with a secret, {@code
 * X-AutoGLM-Signature: v1=<hex HmacSHA256(secret, timestamp + "." + body)>}. A receiver checks the
 * signature and refuses a timestamp too far from its clock, against replays.
 */
public final class SignedWebhook {
  public static final String DELIVERY_ID = "X-AutoGLM-Delivery-Id";
  public static final String TIMESTAMP = "X-AutoGLM-Timestamp";
  public static final String SIGNATURE = "X-AutoGLM-Signature";

  private SignedWebhook() {}

  public static OutgoingRequest request(WebhookSettings settings, Alert alert, long nowMillis) {
    return request(
        URI.create(settings.url()),
        "POST",
        Map.of(),
        settings.secret(),
        "webhook",
        settings.externalUrl(),
        alert,
        nowMillis);
  }

  /**
   * The request to a receiver's webhook: {@code method} (POST or PUT) with the receiver's own
   * {@code headers} besides the notifier's, signed when {@code secret} is not empty.
   */
  public static OutgoingRequest request(
      URI url,
      String method,
      Map<String, String> headers,
      String secret,
      String receiver,
      String externalUrl,
      Alert alert,
      long nowMillis) {
    return request(
        url, method, headers, secret, receiver, externalUrl, Notification.of(alert), nowMillis);
  }

  /** The request for {@code n}: one alert change, or a group's alerts. */
  public static OutgoingRequest request(
      URI url,
      String method,
      Map<String, String> headers,
      String secret,
      String receiver,
      String externalUrl,
      Notification n,
      long nowMillis) {
    byte[] body = AlertmanagerPayload.toBytes(AlertmanagerPayload.of(n, receiver, externalUrl));
    String timestamp = Long.toString(nowMillis / 1000);
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put(DELIVERY_ID, n.key());
    all.put(TIMESTAMP, timestamp);
    if (!secret.isEmpty()) {
      all.put(SIGNATURE, "v1=" + signature(secret, timestamp, body));
    }
    return new OutgoingRequest(method, url, "application/json", all, body);
  }

  /** hex(HmacSHA256(secret, timestamp + "." + body)). */
  public static String signature(String secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
