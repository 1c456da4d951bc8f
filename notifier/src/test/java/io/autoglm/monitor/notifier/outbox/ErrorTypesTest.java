package io.autoglm.monitor.notifier.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorTypesTest {
  @Test
  void theErrorsTheChannelsReportFallIntoKinds() {
    assertEquals("http_503", ErrorTypes.of("HTTP 503: upstream down"));
    assertEquals("http_400", ErrorTypes.of("HTTP 400"));
    assertEquals(
        "breaker_open", ErrorTypes.of("breaker open: the channel failed 5 times in a row"));
    assertEquals("url_refused", ErrorTypes.of("refused: host '127.0.0.1' is refused"));
    assertEquals("timeout", ErrorTypes.of("Request timed out after 2 s"));
    assertEquals("connection_refused", ErrorTypes.of("Tcp command failed: Connection refused"));
    assertEquals("smtp", ErrorTypes.of("SMTP refused the message: 550 no such user"));
    assertEquals(
        "isv.BUSINESS_LIMIT_CONTROL", ErrorTypes.of("isv.BUSINESS_LIMIT_CONTROL: too many"));
    assertEquals("other", ErrorTypes.of("something odd happened"));
    assertEquals("other", ErrorTypes.of(null));
  }
}
