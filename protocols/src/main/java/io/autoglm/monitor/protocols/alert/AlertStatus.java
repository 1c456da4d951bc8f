package io.autoglm.monitor.protocols.alert;

import java.util.Locale;

/**
 * <b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public enum AlertStatus {
  FIRING,
  RESOLVED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
