package io.autoglm.monitor.notifier.receiver;

import java.util.List;

/**
 * A named receiver: the channels an alert routed to it goes out on, the language and time zone its
 * messages are written in, and whether it hears of alerts resolving ({@code send_resolved}, as
 * Alertmanager's; true by default).
 */
public record Receiver(
    String name,
    List<ChannelConfig> channels,
    String language,
    String timezone,
    boolean sendResolved) {
  public Receiver {
    channels = List.copyOf(channels);
  }

  /** A receiver that hears of resolved alerts too. */
  public Receiver(String name, List<ChannelConfig> channels, String language, String timezone) {
    this(name, channels, language, timezone, true);
  }
}
