package io.autoglm.monitor.notifier.channel.robot;

import java.util.List;

/**
 * A message for a chat robot, rendered: a title, a body in the robot's markdown, and the phone
 * numbers (or user ids) to mention, for robots that can.
 */
public record ChatMessage(String title, String markdown, List<String> mentions) {
  public ChatMessage {
    mentions = mentions == null ? List.of() : List.copyOf(mentions);
  }
}
