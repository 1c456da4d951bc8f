package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.sharding.stats.BatchPart;
import io.autoglm.monitor.sharding.stats.ReplayFilter;
import java.util.List;
import java.util.Map;

/**
 * The share of one agent batch that came from one tracked source IP: its pane counts and the
 * endpoints it called. Like {@link BatchPart}, one per batch, so the IP's group drops replays.
 *
 * @param endpoints path → requests in this part, at most {@link #MAX_ENDPOINTS} paths (the rest
 *     under {@code (other)})
 * @param apiKeys API key id → requests in this part (of the records naming one), bounded the same
 *     way
 */
public record IpPart(
    String agentId,
    long epoch,
    long seq,
    List<IpCounts> panes,
    long records,
    long maxEventTs,
    Map<String, Long> endpoints,
    Map<String, Long> apiKeys)
    implements CborSerializable, ReplayFilter.Part {

  public IpPart {
    apiKeys = apiKeys == null ? Map.of() : apiKeys;
  }

  public static final int MAX_ENDPOINTS = 16;

  public boolean identified() {
    return agentId != null;
  }

  public String sourceKey() {
    return BatchPart.sourceKey(agentId, epoch);
  }
}
