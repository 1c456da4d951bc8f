package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.ThresholdRule;

/**
 * One thing rules watch (an endpoint, a source IP, a series read from a file), as the detectors see
 * it at an evaluation point: the value of a metric over a window, and its minute history.
 */
public interface Subject {
  /**
   * {@code metric} over {@code [t − windowMs, t)}, and the requests in that window; NaN without
   * data for it.
   */
  MinuteHistory.Measured window(Metric metric, long t, long windowMs);

  /** Its past, per minute, as far back as kept. */
  MinuteHistory history();

  /**
   * For a rule confirmed by other endpoints ({@code confirm_with: ["endpoints"]}): records whether
   * this subject breaches {@code rule} at {@code t} (before that confirmation) and names another
   * subject of its service that breached it within {@code slackMs} of {@code t}; null when none
   * did. Only endpoints have such peers.
   */
  default String peerBreaching(ThresholdRule rule, long t, boolean breached, long slackMs) {
    return null;
  }
}
