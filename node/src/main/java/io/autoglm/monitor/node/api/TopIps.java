package io.autoglm.monitor.node.api;

import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The answer of {@code GET /api/v1/endpoints/{id}/top-ips?from=&to=&k=}: who called an endpoint
 * over a range, from the source-IP sketches of its per-minute history merged: the distinct IPs
 * (estimated, with a 95 % interval) and the busiest addresses and networks ({@code /24}, IPv6
 * {@code /64}), each with the bounds its true count lies in. Any address or network with more than
 * {@code maxError} requests is listed if {@code k} allows.
 *
 * @param requests the requests in the range
 * @param minutesWithoutSources minutes of the range with requests but no source IPs in the history
 *     (written before they were kept); their requests are not in the sketches
 * @param maxError the widest gap between an address's listed and true count
 */
public record TopIps(
    String id,
    Instant from,
    Instant to,
    long requests,
    Distinct distinctIps,
    long maxError,
    List<WindowView.HeavyHitterView> ips,
    List<WindowView.HeavyHitterView> prefixes,
    int minutesWithoutSources) {

  /** {@code estimate} distinct addresses; 95 % of the time the truth is within the bounds. */
  public record Distinct(long estimate, long lowerBound, long upperBound) {}

  /** Listed by default. */
  static final int DEFAULT_K = 10;

  /** A range and how many to list, checked. */
  record Query(long fromMs, long toMs, int k) {
    /**
     * @throws Series.InvalidParameter naming the parameter
     */
    static Query parse(
        Optional<String> from, Optional<String> to, Optional<String> k, long nowMs, long maxMs) {
      long toMs = Series.Query.ceilMinute(to.map(t -> Series.Query.time("to", t)).orElse(nowMs));
      long fromMs =
          Series.Query.floorMinute(
              from.map(f -> Series.Query.time("from", f)).orElse(toMs - 3_600_000));
      if (fromMs >= toMs) {
        throw Series.Query.bad("from", "must be before 'to'");
      }
      if (toMs - fromMs > maxMs) {
        throw Series.Query.bad(
            "from",
            "the range may span at most "
                + RuleCodec.formatDuration(maxMs)
                + " (autoglm.history.ttl: older history is gone)");
      }
      int n = DEFAULT_K;
      if (k.isPresent()) {
        try {
          n = Integer.parseInt(k.get().trim());
        } catch (NumberFormatException e) {
          n = -1;
        }
        if (n < 1 || n > SourceIpSketch.MAX_TRACKED) {
          throw Series.Query.bad(
              "k", "must be a whole number from 1 to " + SourceIpSketch.MAX_TRACKED);
        }
      }
      return new Query(fromMs, toMs, n);
    }
  }

  static TopIps of(String id, Query q, List<WindowStats> minutes) {
    long requests = 0;
    int without = 0;
    List<SourceIpSketch> sketches = new ArrayList<>(minutes.size());
    for (WindowStats m : minutes) {
      requests += m.count();
      if (m.sources() == null) {
        without += m.count() > 0 ? 1 : 0;
      } else {
        sketches.add(m.sources());
      }
    }
    SourceIpSketch all = SourceIpSketch.mergeAll(sketches);
    return new TopIps(
        id,
        Instant.ofEpochMilli(q.fromMs()),
        Instant.ofEpochMilli(q.toMs()),
        requests,
        all.isEmpty()
            ? new Distinct(0, 0, 0)
            : new Distinct(
                Math.round(all.distinctEstimate()),
                (long) Math.floor(all.distinctLowerBound(2)),
                (long) Math.ceil(all.distinctUpperBound(2))),
        all.maximumIpError(),
        all.topIps(q.k()).stream().map(WindowView.HeavyHitterView::of).toList(),
        all.topPrefixes(q.k()).stream().map(WindowView.HeavyHitterView::of).toList(),
        without);
  }
}
