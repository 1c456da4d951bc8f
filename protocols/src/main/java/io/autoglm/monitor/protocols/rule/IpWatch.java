package io.autoglm.monitor.protocols.rule;

import io.autoglm.monitor.protocols.CborSerializable;

/**
 * An entry of the source-IP watch list: the addresses of {@code service} that {@code ip} (a glob on
 * the address) names are tracked from their first request, whether or not they are heavy hitters
 * and whether or not a rule names them. Its JSON form is {@link RuleCodec#parseWatch}'s.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public record IpWatch(String id, Glob service, Glob ip, String description)
    implements CborSerializable {

  /** Whether this entry names {@code ip} (canonical) of {@code service}. */
  public boolean matches(String service, String ip) {
    return this.service.matches(service) && this.ip.matches(ip);
  }
}
