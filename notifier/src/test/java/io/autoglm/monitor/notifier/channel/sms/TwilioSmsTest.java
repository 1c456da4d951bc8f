package io.autoglm.monitor.notifier.channel.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TwilioSmsTest {
  private final TwilioSms sms =
      new TwilioSms(TwilioSms.DEFAULT_API, "AC0123456789abcdef", "token-1", "+15017122661");

  @Test
  void oneFormPostPerRecipientWithBasicAuth() {
    OutgoingRequest r = sms.request("+15558675310", "[FIRING] errors: 31% on /v1/chat & more");
    assertEquals("POST", r.method());
    assertEquals(
        "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef/Messages.json",
        r.url().toString());
    assertEquals("application/x-www-form-urlencoded", r.contentType());
    // base64("AC0123456789abcdef:token-1")
    assertEquals(
        Map.of("Authorization", "Basic QUMwMTIzNDU2Nzg5YWJjZGVmOnRva2VuLTE="), r.headers());
    assertEquals(
        "To=%2B15558675310&From=%2B15017122661"
            + "&Body=%5BFIRING%5D+errors%3A+31%25+on+%2Fv1%2Fchat+%26+more",
        r.bodyText());
  }

  @Test
  void answers() {
    assertTrue(sms.judge(201, "{\"sid\":\"SM1\",\"status\":\"queued\"}").delivered());
    Answer invalid =
        sms.judge(400, "{\"code\":21211,\"message\":\"Invalid 'To' Phone Number\",\"status\":400}");
    assertFalse(invalid.retryable());
    assertEquals("HTTP 400, Twilio 21211: Invalid 'To' Phone Number", invalid.error());
    assertTrue(sms.judge(429, "{\"code\":20429,\"message\":\"Too Many Requests\"}").retryable());
    assertTrue(sms.judge(500, "").retryable());
  }
}
