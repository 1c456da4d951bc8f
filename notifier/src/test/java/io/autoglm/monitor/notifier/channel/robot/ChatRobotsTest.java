package io.autoglm.monitor.notifier.channel.robot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each robot's exact request: URL, body and signature. The signatures were worked out apart from
 * this code (Python's hmac, hashlib and base64, as the vendors' own samples do it).
 */
class ChatRobotsTest {
  /** 2026-01-01T00:00:00Z. */
  private static final long NOW = 1_767_225_600_000L;

  private static final ChatMessage MESSAGE =
      new ChatMessage(
          "[FIRING] chat errors",
          "error_rate 0.31 on /v1/chat/completions\n> 9.4σ above the 1h baseline",
          List.of());

  private static final ChatMessage MENTIONING =
      new ChatMessage("[FIRING] chat errors", "error_rate 0.31", List.of("13800138000"));

  @Test
  void dingTalkSignsTheUrlAndSendsMarkdown() {
    DingTalkRobot robot =
        new DingTalkRobot(
            URI.create("https://oapi.dingtalk.com/robot/send?access_token=abc123"), "SEC1a2b3c");
    OutgoingRequest r = robot.request(MESSAGE, NOW);
    assertEquals("POST", r.method());
    // base64(HmacSHA256(key "SEC1a2b3c", "1767225600000\nSEC1a2b3c")), URL-encoded
    assertEquals(
        "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1767225600000"
            + "&sign=Du%2FRz5wWMoaETXctEoGYIqWCGRIMcimnebx3ybSg2Zk%3D",
        r.url().toString());
    assertEquals("application/json", r.contentType());
    assertEquals(
        "{\"msgtype\":\"markdown\",\"markdown\":{\"title\":\"[FIRING] chat errors\",\"text\":"
            + "\"error_rate 0.31 on /v1/chat/completions\\n> 9.4σ above the 1h baseline\"},"
            + "\"at\":{\"atMobiles\":[],\"isAtAll\":false}}",
        r.bodyText());
    assertEquals(
        "{\"msgtype\":\"markdown\",\"markdown\":{\"title\":\"[FIRING] chat errors\",\"text\":"
            + "\"error_rate 0.31\\n\\n@13800138000\"},"
            + "\"at\":{\"atMobiles\":[\"13800138000\"],\"isAtAll\":false}}",
        robot.request(MENTIONING, NOW).bodyText(),
        "a mention is in atMobiles and, as DingTalk requires, in the text");
    assertEquals(
        "https://oapi.dingtalk.com/robot/send?access_token=abc123",
        new DingTalkRobot(robot.webhook(), null).request(MESSAGE, NOW).url().toString(),
        "no secret, no signature");
  }

  @Test
  void dingTalkAnswers() {
    DingTalkRobot robot = new DingTalkRobot(URI.create("https://oapi.dingtalk.com/x"), null);
    assertTrue(robot.judge(200, "{\"errcode\":0,\"errmsg\":\"ok\"}").delivered());
    Answer badSign = robot.judge(200, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}");
    assertFalse(badSign.delivered());
    assertFalse(badSign.retryable(), "a wrong secret stays wrong");
    assertEquals("errcode 310000: sign not match", badSign.error());
    assertTrue(robot.judge(200, "{\"errcode\":130101,\"errmsg\":\"send too fast\"}").retryable());
    assertTrue(robot.judge(502, "Bad Gateway").retryable());
    assertTrue(robot.judge(200, "<html>maintenance</html>").retryable());
  }

  @Test
  void weComSendsMarkdownOrTextWithMentions() {
    WeComRobot robot =
        new WeComRobot(URI.create("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1"));
    OutgoingRequest r = robot.request(MESSAGE, NOW);
    assertEquals("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1", r.url().toString());
    assertEquals(
        "{\"msgtype\":\"markdown\",\"markdown\":{\"content\":\"## [FIRING] chat errors\\n"
            + "error_rate 0.31 on /v1/chat/completions\\n> 9.4σ above the 1h baseline\"}}",
        r.bodyText());
    assertEquals(
        "{\"msgtype\":\"text\",\"text\":{\"content\":\"[FIRING] chat errors\\nerror_rate 0.31\","
            + "\"mentioned_mobile_list\":[\"13800138000\"]}}",
        robot.request(MENTIONING, NOW).bodyText());
    assertTrue(robot.judge(200, "{\"errcode\":0,\"errmsg\":\"ok\"}").delivered());
    assertTrue(
        robot.judge(200, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}").retryable());
    assertFalse(
        robot.judge(200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}").retryable());
  }

  @Test
  void feishuSignsTheBodyAndSendsAPost() {
    FeishuRobot robot =
        new FeishuRobot(
            URI.create("https://open.feishu.cn/open-apis/bot/v2/hook/tok-1"), "demo-secret");
    OutgoingRequest r = robot.request(MESSAGE, NOW);
    assertEquals("https://open.feishu.cn/open-apis/bot/v2/hook/tok-1", r.url().toString());
    // base64(HmacSHA256(key "1767225600\ndemo-secret", no bytes))
    assertEquals(
        "{\"timestamp\":\"1767225600\",\"sign\":\"3sA0RS755ItICMJpDV0qSS54Iw61qCrVP4vqREbXV94=\","
            + "\"msg_type\":\"post\",\"content\":{\"post\":{\"zh_cn\":{\"title\":\"[FIRING] chat"
            + " errors\",\"content\":[[{\"tag\":\"text\",\"text\":\"error_rate 0.31 on"
            + " /v1/chat/completions\"}],[{\"tag\":\"text\",\"text\":\"> 9.4σ above the 1h"
            + " baseline\"}]]}}}}",
        r.bodyText());
    ChatMessage at = new ChatMessage("t", "x", List.of("ou_7d8a6e6df7621556ce0d21922b676706"));
    assertEquals(
        "{\"msg_type\":\"post\",\"content\":{\"post\":{\"zh_cn\":{\"title\":\"t\",\"content\":"
            + "[[{\"tag\":\"text\",\"text\":\"x\"}],[{\"tag\":\"at\",\"user_id\":"
            + "\"ou_7d8a6e6df7621556ce0d21922b676706\"}]]}}}}",
        new FeishuRobot(robot.webhook(), "").request(at, NOW).bodyText(),
        "no secret: no timestamp and sign; mentions on a last line");
    assertTrue(robot.judge(200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}").delivered());
    assertTrue(robot.judge(200, "{\"StatusCode\":0,\"StatusMessage\":\"success\"}").delivered());
    Answer badSign = robot.judge(200, "{\"code\":19021,\"msg\":\"sign match fail\"}");
    assertEquals("code 19021: sign match fail", badSign.error());
    assertFalse(badSign.retryable());
  }

  @Test
  void slackSendsMrkdwnText() {
    SlackWebhook robot =
        new SlackWebhook(URI.create("https://hooks.slack.com/services/T000/B000/XXXX"));
    assertEquals(
        "{\"text\":\"*[FIRING] chat errors*\\nerror_rate 0.31 on /v1/chat/completions\\n"
            + "> 9.4σ above the 1h baseline\"}",
        robot.request(MESSAGE, NOW).bodyText());
    assertEquals(
        "{\"text\":\"*t*\\nx\\n<@U024BE7LH>\"}",
        robot.request(new ChatMessage("t", "x", List.of("U024BE7LH")), NOW).bodyText());
    assertTrue(robot.judge(200, "ok").delivered());
    Answer invalid = robot.judge(400, "invalid_payload");
    assertEquals("HTTP 400: invalid_payload", invalid.error());
    assertFalse(invalid.retryable());
    assertTrue(robot.judge(429, "rate_limited").retryable());
  }
}
