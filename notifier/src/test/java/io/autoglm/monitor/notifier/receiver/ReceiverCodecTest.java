package io.autoglm.monitor.notifier.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.notifier.net.UrlGuard;
import io.autoglm.monitor.protocols.json.Json;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReceiverCodecTest {
  private static final UrlGuard GUARD = UrlGuard.strict();

  private static Receiver parse(String json) throws Exception {
    return ReceiverCodec.parse(Json.mapper().readTree(json), GUARD);
  }

  /** The article's channel list, as it writes it, is a receiver. */
  @Test
  void theArticlesAlertChannelsAreAReceiver() throws Exception {
    Receiver r =
        parse(
            """
            {"name": "ops-p1",
             "alert_channels": [
               {"type": "email", "recipients": ["ops@example.com", "Lead <lead@example.com>"]},
               {"type": "webhook", "url": "https://hooks.example.com/alert", "method": "POST",
                "headers": {"Authorization": "Bearer abc"}},
               {"type": "sms", "phones": ["13800138000", "+8613900139000"],
                "provider": "aliyun_sms"}],
             "language": "zh", "timezone": "Asia/Shanghai"}
            """);
    assertEquals("ops-p1", r.name());
    assertEquals(
        List.of(
            new ChannelConfig.Email(List.of("ops@example.com", "Lead <lead@example.com>")),
            new ChannelConfig.Webhook(
                URI.create("https://hooks.example.com/alert"),
                "POST",
                Map.of("Authorization", "Bearer abc"),
                ""),
            new ChannelConfig.Sms(List.of("13800138000", "+8613900139000"), "aliyun_sms")),
        r.channels());
    assertEquals("zh", r.language());
    assertEquals("Asia/Shanghai", r.timezone());
    assertTrue(r.sendResolved(), "resolved alerts too, unless it says otherwise");
    assertFalse(
        parse("{\"name\": \"pager\", \"alert_channels\": [], \"send_resolved\": false}")
            .sendResolved());
  }

  @Test
  void chatRobots() throws Exception {
    Receiver r =
        parse(
            """
            {"name": "chat", "channels": [
               {"type": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
                "secret": "SEC1", "mentions": ["13800138000"]},
               {"type": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
               {"type": "feishu", "url": "https://open.feishu.cn/open-apis/bot/v2/hook/x"},
               {"type": "slack", "url": "https://hooks.slack.com/services/T/B/X"}]}
            """);
    assertEquals(
        List.of("dingtalk", "wecom", "feishu", "slack"),
        r.channels().stream().map(ChannelConfig::type).toList());
    assertEquals(
        new ChannelConfig.Chat(
            "dingtalk",
            URI.create("https://oapi.dingtalk.com/robot/send?access_token=t"),
            "SEC1",
            List.of("13800138000")),
        r.channels().get(0));
    assertEquals("en", r.language(), "the default");
    assertEquals(List.of(), parse("{\"name\": \"feed\", \"alert_channels\": []}").channels());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"alert_channels\": []} | name",
        "{\"name\": \"a b\", \"alert_channels\": []} | name",
        "{\"name\": \"r\"} | alert_channels",
        "{\"name\": \"r\", \"alert_channels\": [], \"channels\": []} | channels",
        "{\"name\": \"r\", \"alert_channels\": [], \"colour\": 1} | colour",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"pager\"}]} | alert_channels[0].type",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"email\", \"recipients\": []}]} | alert_channels[0].recipients",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"email\", \"recipients\": [\"ops@example.com\", \"not an address\"]}]} | alert_channels[0].recipients[1]",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"email\", \"recipients\": [\"a@b.c\"], \"cc\": []}]} | alert_channels[0].cc",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"webhook\"}]} | alert_channels[0].url",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"webhook\", \"url\": \"http://169.254.169.254/x\"}]} | alert_channels[0].url",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"webhook\", \"url\": \"https://h.example.com\", \"method\": \"DELETE\"}]} | alert_channels[0].method",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"webhook\", \"url\": \"https://h.example.com\", \"headers\": {\"Host\": \"x\"}}]} | alert_channels[0].headers.Host",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"webhook\", \"url\": \"https://h.example.com\", \"headers\": {\"X-A\": \"a\\r\\nX-B: b\"}}]} | alert_channels[0].headers.X-A",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"sms\", \"phones\": [\"12\"], \"provider\": \"aliyun_sms\"}]} | alert_channels[0].phones[0]",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"sms\", \"phones\": [\"13800138000\"], \"provider\": \"carrier-pigeon\"}]} | alert_channels[0].provider",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"wecom\", \"url\": \"https://q.example.com\", \"secret\": \"s\"}]} | alert_channels[0].secret",
        "{\"name\": \"r\", \"alert_channels\": [{\"type\": \"slack\", \"url\": \"gopher://x\"}]} | alert_channels[0].url",
        "{\"name\": \"r\", \"alert_channels\": [], \"language\": \"fr\"} | language",
        "{\"name\": \"r\", \"alert_channels\": [], \"timezone\": \"Mars/Olympus\"} | timezone",
        "{\"name\": \"r\", \"alert_channels\": [], \"send_resolved\": \"no\"} | send_resolved",
        "{\"name\": \"r\", \"alert_channels\": [], \"templates\": \"x\"} | templates",
        "{\"name\": \"r\", \"alert_channels\": [], \"templates\": {\"title\": \"x\"}} | templates.title",
        "{\"name\": \"r\", \"alert_channels\": [], \"templates\": {\"sms\": \"{{#open}}\"}} | templates.sms",
        "{\"name\": \"r\", \"alert_channels\": [], \"templates\": {\"chat_body\": 7}} | templates.chat_body",
      })
  void invalidReceiversNameTheField(String json, String field) throws Exception {
    JsonNode tree = Json.mapper().readTree(json);
    InvalidFieldException e =
        assertThrows(InvalidFieldException.class, () -> ReceiverCodec.parse(tree, GUARD));
    assertEquals(field, e.field(), e.getMessage());
  }

  @Test
  void aTemplateIsBounded() {
    String huge = "x".repeat(ReceiverCodec.MAX_TEMPLATE_CHARS + 1);
    InvalidFieldException e =
        assertThrows(
            InvalidFieldException.class,
            () ->
                parse(
                    "{\"name\": \"r\", \"alert_channels\": [], \"templates\": {\"sms\": \""
                        + huge
                        + "\"}}"));
    assertEquals("templates.sms", e.field());
  }

  @Test
  void aReceiverIsBounded() {
    StringBuilder many = new StringBuilder("{\"name\": \"r\", \"alert_channels\": [");
    for (int i = 0; i <= ReceiverCodec.MAX_CHANNELS; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{\"type\": \"sms\", \"phones\": [\"13800138000\"], \"provider\": \"twilio\"}");
    }
    many.append("]}");
    InvalidFieldException e =
        assertThrows(InvalidFieldException.class, () -> parse(many.toString()));
    assertEquals("alert_channels", e.field());
  }
}
