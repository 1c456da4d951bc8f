package io.autoglm.monitor.notifier.deliver;

import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import java.util.List;

/**
 * One thing to send for one alert change on one channel of one receiver. Every attempt and every
 * copy of it carries the same {@code idempotencyKey}.
 */
public sealed interface Delivery {
  String receiver();

  /** The channel's type: {@code webhook}, {@code email}, {@code sms}, {@code dingtalk}, ... */
  String channel();

  String idempotencyKey();

  /** What the receiver's answer means, by channel. */
  @FunctionalInterface
  interface Judge {
    Answer judge(int status, String body);
  }

  /** An HTTP request (webhooks, chat robots, SMS gateways). */
  record Http(
      String receiver, String channel, String idempotencyKey, OutgoingRequest request, Judge judge)
      implements Delivery {}

  /** An email. */
  record Mail(
      String receiver,
      String idempotencyKey,
      List<String> to,
      String subject,
      String text,
      String html)
      implements Delivery {
    public String channel() {
      return "email";
    }
  }
}
