package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.protocols.rule.Metric;

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
}
