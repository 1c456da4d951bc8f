package io.autoglm.monitor.notifier.route;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An inhibition rule, as Alertmanager's: while an alert matching {@code source} fires, alerts
 * matching {@code target} that have the same values of the {@code equal} labels reach the feed but
 * no receiver. An alert never inhibits itself.
 */
public record InhibitRule(List<Matcher> source, List<Matcher> target, List<String> equal) {

  public InhibitRule {
    source = List.copyOf(source);
    target = List.copyOf(target);
    equal = List.copyOf(equal);
  }

  /**
   * The default: an endpoint's outage (an error-rate alert on an endpoint, no source IP) mutes the
   * per-IP alerts of the same service, which every client of an outage would raise.
   */
  public static final InhibitRule OUTAGE_MUTES_IPS =
      new InhibitRule(
          List.of(Matcher.parse("metric=error_rate"), Matcher.parse("src_ip=")),
          List.of(Matcher.parse("src_ip=~.+")),
          List.of("service"));

  /** Whether {@code target} is inhibited by one of the {@code firing} alerts' labels. */
  public boolean inhibits(
      Map<String, String> targetLabels, Collection<Map<String, String>> firing) {
    if (!target.stream().allMatch(m -> m.matches(targetLabels))) {
      return false;
    }
    for (Map<String, String> s : firing) {
      if (s == targetLabels || s.equals(targetLabels)) {
        continue;
      }
      if (source.stream().allMatch(m -> m.matches(s))
          && equal.stream().allMatch(l -> Objects.equals(s.get(l), targetLabels.get(l)))) {
        return true;
      }
    }
    return false;
  }
}
