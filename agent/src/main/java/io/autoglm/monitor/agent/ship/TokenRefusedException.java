package io.autoglm.monitor.agent.ship;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;

/**
 * The node answered 401 (no token, or one it does not know or has revoked) or 403 (a token whose
 * role may not ingest). Sending again cannot help, so the agent stops: every node of a cluster
 * knows the same tokens.
 */
public final class TokenRefusedException extends RuntimeException {
  private static final int MAX_DETAIL = 300;

  private final int status;

  /**
   * @param status 401 or 403
   * @param where what was refused, e.g. {@code POST http://h:8080/api/v1/ingest}
   * @param body the answer's body: the node's {@code {"error": "..."}} is quoted, anything else cut
   *     short
   */
  public TokenRefusedException(int status, String where, String body) {
    super(
        "the node refused the token: HTTP "
            + status
            + (status == 403 ? " (its role may not do this)" : "")
            + " at "
            + where
            + detail(body));
    this.status = status;
  }

  /** The same refusal, thrown again on another thread. */
  TokenRefusedException(TokenRefusedException first) {
    super(first.getMessage(), first);
    this.status = first.status;
  }

  public int status() {
    return status;
  }

  /** Whether an answer with this status means the token is refused. */
  public static boolean refuses(int status) {
    return status == 401 || status == 403;
  }

  private static String detail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String text = body.strip();
    try {
      JsonNode json = Json.mapper().readTree(text);
      if (json != null && json.path("error").isTextual()) {
        text = json.get("error").asText();
      }
    } catch (IOException e) {
      // not JSON: shown as it is
    }
    return ": " + (text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "…" : text);
  }
}
