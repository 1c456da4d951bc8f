package io.autoglm.monitor.notifier.receiver;

import java.util.List;

/**
 * A named receiver: the channels an alert routed to it goes out on, the language and time zone its
 * messages are written in, whether it hears of alerts resolving ({@code send_resolved}, as
 * Alertmanager's; true by default), and its own message templates (any left out: the defaults).
 */
public record Receiver(
    String name,
    List<ChannelConfig> channels,
    String language,
    String timezone,
    boolean sendResolved,
    Templates templates) {
  public Receiver {
    channels = List.copyOf(channels);
    templates = templates == null ? Templates.DEFAULTS : templates;
  }

  /**
   * A receiver's own Mustache templates, each null for the default one (README, "Templates").
   *
   * @param chatTitle chat robots' title
   * @param chatBody chat robots' message (markdown)
   */
  public record Templates(
      String chatTitle,
      String chatBody,
      String sms,
      String emailSubject,
      String emailText,
      String emailHtml) {
    public static final Templates DEFAULTS = new Templates(null, null, null, null, null, null);
  }

  public Receiver(
      String name,
      List<ChannelConfig> channels,
      String language,
      String timezone,
      boolean sendResolved) {
    this(name, channels, language, timezone, sendResolved, Templates.DEFAULTS);
  }

  /** A receiver that hears of resolved alerts too. */
  public Receiver(String name, List<ChannelConfig> channels, String language, String timezone) {
    this(name, channels, language, timezone, true);
  }
}
