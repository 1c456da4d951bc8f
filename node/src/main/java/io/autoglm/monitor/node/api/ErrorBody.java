package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every 4xx and 5xx answer of the API: {@code {"error": "..."}}, and where the error is
 * about one field of the request (a query parameter, a rule's key) which one and why. (An invalid
 * capture line and an ingest that did not complete say more: {@code RecordErrorBody}, {@code
 * IngestIncomplete} in the ingest package.)
 *
 * @param field the offending field; left out when the error is not about one
 * @param reason what is wrong with it; left out when {@code error} says it all
 */
public record ErrorBody(
    String error,
    @JsonInclude(JsonInclude.Include.NON_NULL) String field,
    @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {

  public static ErrorBody of(String error) {
    return new ErrorBody(error, null, null);
  }

  public static ErrorBody ofField(String error, String field, String reason) {
    return new ErrorBody(error, field, reason);
  }
}
