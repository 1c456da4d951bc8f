package io.autoglm.monitor.tools.gen;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The traffic shapes of {@link CaptureGenerator}, named as on the command line. */
public enum Scenario {
  /** Normal traffic only. */
  STEADY("steady"),
  /** 30% of /v1/chat/completions answered 500/502/503 for a while. */
  ERROR_BURST("error-burst"),
  /** /v1/generate four times slower for a while. */
  LATENCY_SPIKE("latency-spike"),
  /** 203.0.113.66 adds rate/4 requests per second, half of them answered 429. */
  IP_FLOOD("ip-flood"),
  /** /v1/embeddings gets rate/2 extra requests per second. */
  QPS_SURGE("qps-surge"),
  /** rate extra requests per second to /v1/chat/completions from random 198.18.0.0/15 addresses. */
  IP_SPRAY("ip-spray"),
  /** error-burst, latency-spike, ip-flood and qps-surge one after another. */
  MIXED("mixed");

  private final String cliName;

  Scenario(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /**
   * The scenario with this command-line name.
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static Scenario fromName(String name) {
    for (Scenario s : values()) {
      if (s.cliName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scenario '" + name + "', expected one of " + names());
  }

  /** The valid names, comma separated. */
  public static String names() {
    return Arrays.stream(values()).map(Scenario::cliName).collect(Collectors.joining(", "));
  }
}
