package io.autoglm.monitor.node.ingest;

import io.autoglm.monitor.protocols.capture.CaptureBatch;
import io.autoglm.monitor.sharding.NodeClock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out an identity to each HTTP ingest request sent without one, so that such a request, too,
 * can be sent again without being counted twice: agent {@code ~http.<node>}, a fresh epoch, seq 0.
 * The answer to a request that did not complete names the identity; sending the same body again
 * under it counts only what was not counted yet.
 *
 * <p>Epochs grow with the wall clock (ms × 1000, or one more than the last if that is not more), so
 * they are unique per node and comparable across nodes: an endpoint remembers the newest {@code
 * SERVER_KEYS_REMEMBERED} of them, from all nodes together.
 */
final class ServerKeys {
  /** One node-issued identity: use as X-Agent-Id, X-Agent-Epoch, and seq 0. */
  record Key(String agentId, long epoch) {}

  private final String agentId;
  private final NodeClock clock;
  private final AtomicLong lastEpoch = new AtomicLong();

  /**
   * @param node this node, e.g. its cluster host and port: {@code 10.0.0.5-25520}
   */
  ServerKeys(String node, NodeClock clock) {
    this.agentId =
        CaptureBatch.SERVER_KEY_PREFIX + "http." + node.replaceAll("[^A-Za-z0-9._:-]", "-");
    if (!CaptureBatch.isServerKey(agentId)) {
      throw new IllegalArgumentException("not usable in a node-issued key: '" + node + "'");
    }
    this.clock = clock;
  }

  Key next() {
    long now = clock.wallMillis() * 1000;
    return new Key(agentId, lastEpoch.accumulateAndGet(now, (last, t) -> Math.max(last + 1, t)));
  }
}
