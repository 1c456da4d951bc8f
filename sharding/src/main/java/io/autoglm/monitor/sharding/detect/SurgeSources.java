package io.autoglm.monitor.sharding.detect;

import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.SourceIpSketch.HeavyHitter;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.sharding.detect.model.Readable;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a surge of requests came from, in words, for the alert: the wide networks ({@code /16},
 * IPv6 {@code /32}) whose rate rose the most between the minutes before the surge and the last
 * minute or two, and how many addresses sent that traffic. It reads the minutes an endpoint still
 * holds the source IPs of (those within {@code allowed-lateness} of its newest data, up to {@link
 * #BASELINE_MINUTES} before the last two). Traffic sprayed over thousands of addresses is one alert
 * that names its networks, not an alert per address.
 */
public final class SurgeSources {
  /** The minutes before the surge its traffic is compared with. */
  static final int BASELINE_MINUTES = 10;

  /** A network is named when it brought at least this share of the rise. */
  static final double SHARE_NAMED = 0.2;

  /** At most this many networks are named. */
  static final int MAX_NAMED = 3;

  private static final long MINUTE = StatsSettings.MINUTE_MS;

  private SurgeSources() {}

  /**
   * The networks the rise of the traffic in {@code minutes} (an endpoint's, oldest first) came
   * from, up to {@code t}, e.g. {@code the rise came from 198.18.0.0/16 (+115/s), 198.19.0.0/16
   * (+113/s); 28,522 addresses in the last 110 s, 8,507 in the 4 min before}; null when no network
   * brought a fair share of a rise.
   */
  public static String note(List<WindowStats> minutes, long t) {
    long recentFrom = StatsSettings.minuteStartOf(t - 1) - MINUTE;
    long baselineFrom = recentFrom - BASELINE_MINUTES * MINUTE;
    List<SourceIpSketch> recent = new ArrayList<>(2);
    List<SourceIpSketch> before = new ArrayList<>(BASELINE_MINUTES);
    int beforeMinutes = 0;
    for (WindowStats m : minutes) {
      if (m.sources() == null) {
        continue; // a closed minute's sources went to the history with it
      }
      if (m.start() >= recentFrom && m.start() < t) {
        recent.add(m.sources());
      } else if (m.start() >= baselineFrom && m.start() < recentFrom) {
        before.add(m.sources());
        beforeMinutes++;
      }
    }
    if (recent.isEmpty() || beforeMinutes == 0) {
      return null;
    }
    SourceIpSketch now = SourceIpSketch.mergeAll(recent);
    SourceIpSketch then = SourceIpSketch.mergeAll(before);
    double nowSeconds = (t - recentFrom) / 1000.0;
    double thenSeconds = beforeMinutes * 60.0;
    double rise = now.count() / nowSeconds - then.count() / thenSeconds;
    if (!(rise > 0)) {
      return null;
    }
    Map<String, Long> earlier = new HashMap<>();
    for (HeavyHitter h : then.topWideNetworks(SourceIpSketch.MAX_TRACKED)) {
      earlier.put(h.item(), h.estimate());
    }
    List<String> named = new ArrayList<>(MAX_NAMED);
    for (HeavyHitter h : now.topWideNetworks(SourceIpSketch.MAX_TRACKED)) {
      double grew = h.estimate() / nowSeconds - earlier.getOrDefault(h.item(), 0L) / thenSeconds;
      if (grew >= SHARE_NAMED * rise && named.size() < MAX_NAMED) {
        named.add(h.item() + " (+" + Readable.number(grew) + "/s)");
      }
    }
    if (named.isEmpty()) {
      return null;
    }
    return "the rise came from "
        + String.join(", ", named)
        + String.format(
            Locale.ROOT,
            "; %,d addresses in the last %d s, %,d in the %d min before",
            Math.round(now.distinctEstimate()),
            Math.round(nowSeconds),
            Math.round(then.distinctEstimate()),
            beforeMinutes);
  }
}
