package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.capture.CaptureRecord;

/**
 * Identity of a tracked source IP: the service it calls and its address (canonical, IPv4-mapped
 * IPv6 folded to IPv4). One set of statistics per IP per service, over all the service's endpoints,
 * kept by the IP's group ({@link IpGroupKey}). The id is {@code service/ip}: a service name has no
 * '/', an address neither.
 */
public record IpKey(String service, String ip) implements CborSerializable {

  public IpKey {
    if (!CaptureRecord.isValidServiceName(service)) {
      throw new IllegalArgumentException(
          "service must be 1..64 of [A-Za-z0-9._-], got '" + service + "'");
    }
    if (ip == null || ip.isEmpty() || ip.length() > 45 || ip.indexOf('/') >= 0) {
      throw new IllegalArgumentException("not an IP address: '" + ip + "'");
    }
  }

  public String entityId() {
    return service + "/" + ip;
  }

  public static IpKey fromEntityId(String entityId) {
    int slash = entityId.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("not a source IP entity id: '" + entityId + "'");
    }
    return new IpKey(entityId.substring(0, slash), entityId.substring(slash + 1));
  }

  @Override
  public String toString() {
    return entityId();
  }
}
