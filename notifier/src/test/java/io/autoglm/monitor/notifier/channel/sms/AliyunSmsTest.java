package io.autoglm.monitor.notifier.channel.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AliyunSmsTest {

  /** The worked example of Aliyun's signature documentation, with its published signature. */
  @Test
  void signsAsAliyunsDocumentedExample() {
    Map<String, String> params = new TreeMap<>();
    params.put("AccessKeyId", "testId");
    params.put("Action", "SendSms");
    params.put("Format", "XML");
    params.put("OutId", "123");
    params.put("PhoneNumbers", "15300000001");
    params.put("RegionId", "cn-hangzhou");
    params.put("SignName", "阿里云短信测试专用");
    params.put("SignatureMethod", "HMAC-SHA1");
    params.put("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466");
    params.put("SignatureVersion", "1.0");
    params.put("TemplateCode", "SMS_71390007");
    params.put("TemplateParam", "{\"customer\":\"test\"}");
    params.put("Timestamp", "2017-07-12T02:42:19Z");
    params.put("Version", "2017-05-25");
    assertEquals("zJDF+Lrzhj/ThnlvIToysFRq6t4=", AliyunSms.signature("GET", params, "testSecret"));
  }

  @Test
  void theSendSmsRequestIsASignedFormPost() {
    AliyunSms sms =
        new AliyunSms(
            AliyunSms.DEFAULT_ENDPOINT,
            "LTAI-test",
            "secret-xyz",
            "cn-hangzhou",
            "AutoGLM",
            "SMS_123456");
    OutgoingRequest r =
        sms.request(
            List.of("13800138000", "13900139000"),
            Map.of("rule", "errors", "endpoint", "/v1/chat", "value", "0.31"),
            Instant.parse("2026-01-01T00:00:00.250Z"),
            "nonce-1");
    assertEquals("POST", r.method());
    assertEquals("https://dysmsapi.aliyuncs.com/", r.url().toString());
    assertEquals("application/x-www-form-urlencoded", r.contentType());
    // worked out with Python's urllib.parse.quote(safe="~"), hmac and hashlib.sha1
    assertEquals(
        "AccessKeyId=LTAI-test&Action=SendSms&Format=JSON"
            + "&PhoneNumbers=13800138000%2C13900139000&RegionId=cn-hangzhou&SignName=AutoGLM"
            + "&SignatureMethod=HMAC-SHA1&SignatureNonce=nonce-1&SignatureVersion=1.0"
            + "&TemplateCode=SMS_123456&TemplateParam=%7B%22endpoint%22%3A%22%2Fv1%2Fchat%22%2C"
            + "%22rule%22%3A%22errors%22%2C%22value%22%3A%220.31%22%7D"
            + "&Timestamp=2026-01-01T00%3A00%3A00Z&Version=2017-05-25"
            + "&Signature=vfZOJz%2Bjdrqlxnr3BuPm%2FJyS5Tw%3D",
        r.bodyText());
  }

  @Test
  void answers() {
    AliyunSms sms = new AliyunSms(AliyunSms.DEFAULT_ENDPOINT, "a", "b", "cn-hangzhou", "s", "t");
    assertTrue(
        sms.judge(200, "{\"Message\":\"OK\",\"RequestId\":\"r\",\"BizId\":\"b\",\"Code\":\"OK\"}")
            .delivered());
    Answer limited =
        sms.judge(200, "{\"Message\":\"触发分钟级流控\",\"Code\":\"isv.BUSINESS_LIMIT_CONTROL\"}");
    assertTrue(limited.retryable());
    assertEquals("isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控", limited.error());
    Answer badSign =
        sms.judge(
            400,
            "{\"Message\":\"Specified signature is not matched\",\"Code\":\"SignatureDoesNotMatch\"}");
    assertFalse(badSign.delivered());
    assertFalse(badSign.retryable());
    assertTrue(sms.judge(503, "Service Unavailable").retryable());
  }
}
