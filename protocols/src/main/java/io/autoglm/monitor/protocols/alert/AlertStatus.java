package io.autoglm.monitor.protocols.alert;

import java.util.Locale;

public enum AlertStatus {
  FIRING,
  RESOLVED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
