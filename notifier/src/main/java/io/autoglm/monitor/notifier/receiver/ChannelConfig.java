package io.autoglm.monitor.notifier.receiver;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One channel of a receiver, as its {@code alert_channels} entry says. Credentials that are the
 * node's (the SMTP server, an SMS provider's keys) come from the node's configuration, not from
 * here: a receiver names who to reach and how, not the operator's secrets.
 */
public sealed interface ChannelConfig {
  String type();

  /** {@code {"type": "email", "recipients": [...]}}. */
  record Email(List<String> recipients) implements ChannelConfig {
    public String type() {
      return "email";
    }
  }

  /** {@code {"type": "webhook", "url": ..., "method": "POST", "headers": {...}, "secret": ...}}. */
  record Webhook(URI url, String method, Map<String, String> headers, String secret)
      implements ChannelConfig {
    public String type() {
      return "webhook";
    }
  }

  /** {@code {"type": "sms", "phones": [...], "provider": "aliyun_sms" | "twilio"}}. */
  record Sms(List<String> phones, String provider) implements ChannelConfig {
    public String type() {
      return "sms";
    }
  }

  /**
   * A chat robot: {@code {"type": "dingtalk" | "wecom" | "feishu" | "slack", "url": ..., "secret":
   * ..., "mentions": [...]}} (a secret for DingTalk and Feishu only).
   */
  record Chat(String type, URI url, String secret, List<String> mentions)
      implements ChannelConfig {}
}
