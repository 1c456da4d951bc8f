package io.autoglm.monitor.notifier.receiver;

import java.util.List;

/**
 * A named receiver: the channels an alert routed to it goes out on, and the language and time zone
 * its messages are written in.
 */
public record Receiver(
    String name, List<ChannelConfig> channels, String language, String timezone) {
  public Receiver {
    channels = List.copyOf(channels);
  }
}
