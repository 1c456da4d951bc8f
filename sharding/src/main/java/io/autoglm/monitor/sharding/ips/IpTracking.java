package io.autoglm.monitor.sharding.ips;

/**
 * Which source IPs get statistics of their own: asked for every record on the ingest threads, so it
 * must be cheap and thread safe. {@link #NONE} tracks none.
 */
@FunctionalInterface
public interface IpTracking {
  IpTracking NONE = (service, ip) -> false;

  /** Whether {@code ip} (canonical, v4-mapped folded) of {@code service} is tracked. */
  boolean tracked(String service, String ip);
}
