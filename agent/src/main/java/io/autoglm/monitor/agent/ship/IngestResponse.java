package io.autoglm.monitor.agent.ship;

import com.fasterxml.jackson.databind.ObjectReader;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.IngestAck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * A node's answer to an ingest request.
 *
 * @param status the HTTP status code
 * @param body the response body as text (JSON from the node), cut at {@link
 *     HttpIngestClient#MAX_RESPONSE_CHARS} characters
 */
public record IngestResponse(int status, String body) {
  private static final ObjectReader ACK = Json.readerFor(IngestAck.class);

  public IngestResponse {
    body = body == null ? "" : body;
  }

  /** Whether the node accepted the request (2xx). */
  public boolean isSuccess() {
    return status >= 200 && status < 300;
  }

  /**
   * What the node counted, read with the record both sides share (in any key order, ignoring keys a
   * newer node adds); empty when the node did not accept the request.
   *
   * @throws UncheckedIOException when a 2xx body is not an ack
   */
  public Optional<IngestAck> ack() {
    if (!isSuccess()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ACK.readValue(body));
    } catch (IOException e) {
      throw new UncheckedIOException("the node's answer is not an ingest ack: " + body, e);
    }
  }
}
