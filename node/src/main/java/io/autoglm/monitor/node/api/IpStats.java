package io.autoglm.monitor.node.api;

import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.sharding.ips.IpKey;
import io.autoglm.monitor.sharding.ips.SourceIpStatsState;
import io.autoglm.monitor.sharding.ips.SourceIpStatsView;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /api/v1/ips/{id}/stats}: a tracked source IP's counts per pane and per
 * minute, the endpoints it called most and the API keys it used most ({@code (other)}: the rest;
 * {@code distinctApiKeys} like {@code "15+"} once some were folded), and its rules pending or
 * firing.
 */
public record IpStats(
    String id,
    String service,
    String ip,
    long accepted,
    long late,
    Instant newestEvent,
    Instant evaluatedAt,
    List<Span> panes,
    List<Span> minutes,
    Map<String, Long> endpoints,
    Map<String, Long> apiKeys,
    String distinctApiKeys,
    List<EndpointStats.RuleState> alerts) {

  /** What the IP did in one pane or minute; rates are null without requests. */
  public record Span(
      Instant start,
      Instant end,
      long count,
      double qps,
      long errors,
      long status4xx,
      long authFailures,
      long throttled,
      Double errorRate,
      double tokensPerSecond) {
    static Span of(IpCounts c) {
      double rate = c.errorRate();
      return new Span(
          Instant.ofEpochMilli(c.start()),
          Instant.ofEpochMilli(c.end()),
          c.count(),
          c.qps(),
          c.errors(),
          c.status4xx(),
          c.authFailures(),
          c.throttled(),
          Double.isNaN(rate) ? null : rate,
          c.tokensPerSecond());
    }
  }

  public static IpStats of(IpKey key, SourceIpStatsView v) {
    return new IpStats(
        key.entityId(),
        key.service(),
        key.ip(),
        v.accepted(),
        v.late(),
        time(v.newestEvent()),
        time(v.evaluatedAt()),
        v.panes().stream().map(Span::of).toList(),
        v.minutes().stream().map(Span::of).toList(),
        v.endpoints(),
        v.apiKeys(),
        distinct(v.apiKeys()),
        v.alerts().stream().map(EndpointStats.RuleState::of).toList());
  }

  /** How many distinct names a bounded count map holds: "16+" once some were folded. */
  private static String distinct(Map<String, Long> counts) {
    return counts.containsKey(SourceIpStatsState.OTHER_ENDPOINTS)
        ? (counts.size() - 1) + "+"
        : Integer.toString(counts.size());
  }

  private static Instant time(long ms) {
    return ms == SourceIpStatsState.NONE ? null : Instant.ofEpochMilli(ms);
  }

  /** The answer of {@code GET /api/v1/ips}: the source IPs tracked now. */
  public record IpList(List<Entry> ips, long refused) {
    public record Entry(String id, String service, String ip, String stats) {
      static Entry of(String id) {
        IpKey key = IpKey.fromEntityId(id);
        return new Entry(
            id,
            key.service(),
            key.ip(),
            "/api/v1/ips/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/stats");
      }
    }

    public static IpList of(List<String> ids, long refused) {
      return new IpList(ids.stream().map(Entry::of).toList(), refused);
    }
  }
}
