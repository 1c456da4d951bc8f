package io.autoglm.monitor.sharding.ips;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.capture.CaptureRecord;

/**
 * Identity of a group of tracked source IPs of one service: the entity ({@link
 * SourceIpGroupEntity}) that keeps their statistics. An IP's group is a hash of its address modulo
 * the number of groups per service ({@code autoglm.ips.groups}), so one IP always lands in the same
 * group while that number stays. The entity id is {@code service/g<n>}.
 */
public record IpGroupKey(String service, int group) implements CborSerializable {

  /** The most groups per service {@code autoglm.ips.groups} may ask for. */
  public static final int MAX_GROUPS = 4096;

  public IpGroupKey {
    if (!CaptureRecord.isValidServiceName(service)) {
      throw new IllegalArgumentException(
          "service must be 1..64 of [A-Za-z0-9._-], got '" + service + "'");
    }
    if (group < 0 || group >= MAX_GROUPS) {
      throw new IllegalArgumentException("group must be 0.." + (MAX_GROUPS - 1) + ": " + group);
    }
  }

  /** The group of {@code ip} among {@code groups} per service. */
  public static IpGroupKey of(IpKey ip, int groups) {
    // String.hashCode is specified, so every node and every release picks the same group; the
    // mix spreads addresses that differ only in their last digits
    int h = ip.ip().hashCode() * 0x9E3779B9;
    return new IpGroupKey(ip.service(), Math.floorMod(h ^ (h >>> 16), groups));
  }

  public String entityId() {
    return service + "/g" + group;
  }

  public static IpGroupKey fromEntityId(String entityId) {
    int at = entityId.lastIndexOf("/g");
    if (at <= 0) {
      throw new IllegalArgumentException("not a source IP group id: '" + entityId + "'");
    }
    try {
      return new IpGroupKey(
          entityId.substring(0, at), Integer.parseInt(entityId.substring(at + 2)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a source IP group id: '" + entityId + "'");
    }
  }

  @Override
  public String toString() {
    return entityId();
  }
}
