package io.autoglm.monitor.notifier.channel.robot;

/** A chat robot's wire format: the request that posts a message, and what its answers mean. */
public interface ChatRobot {
  /** The request that posts {@code message}, signed for the instant {@code nowMillis}. */
  OutgoingRequest request(ChatMessage message, long nowMillis);

  /** What the robot's answer to such a request means. */
  Answer judge(int status, String body);
}
