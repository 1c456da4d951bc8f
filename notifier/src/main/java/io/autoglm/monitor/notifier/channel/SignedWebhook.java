package io.autoglm.monitor.notifier.channel;

import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
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
    byte[] body =
        AlertmanagerPayload.toBytes(
            AlertmanagerPayload.of(alert, "webhook", settings.externalUrl()));
    String timestamp = Long.toString(nowMillis / 1000);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(DELIVERY_ID, AlertmanagerPayload.idempotencyKey(alert));
    headers.put(TIMESTAMP, timestamp);
    if (!settings.secret().isEmpty()) {
      headers.put(SIGNATURE, "v1=" + signature(settings.secret(), timestamp, body));
    }
    return new OutgoingRequest(
        "POST", URI.create(settings.url()), "application/json", headers, body);
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
