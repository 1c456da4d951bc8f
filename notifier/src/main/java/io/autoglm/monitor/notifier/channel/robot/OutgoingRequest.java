package io.autoglm.monitor.notifier.channel.robot;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP request a channel sends, as data: built by a channel's wire format, sent by its worker,
 * and compared byte for byte by the tests.
 *
 * @param headers besides {@code Content-Type}, in the order sent
 */
public record OutgoingRequest(
    String method, URI url, String contentType, Map<String, String> headers, byte[] body) {

  public OutgoingRequest {
    headers = Map.copyOf(headers);
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
