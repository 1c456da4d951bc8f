package io.autoglm.monitor.agent.ship;

/**
 * A node's answer to an ingest request.
 *
 * @param status the HTTP status code
 * @param body the response body as text (JSON from the node), cut at {@link
 *     HttpIngestClient#MAX_RESPONSE_CHARS} characters
 */
public record IngestResponse(int status, String body) {

  public IngestResponse {
    body = body == null ? "" : body;
  }

  /** Whether the node accepted the request (2xx). */
  public boolean isSuccess() {
    return status >= 200 && status < 300;
  }
}
