package io.autoglm.monitor.tools.gen;

/**
 * One anomaly {@link CaptureGenerator} injects: the ground truth a detector is scored against.
 *
 * @param kind the scenario name, e.g. {@code error-burst}
 * @param target the endpoint (or, for {@code ip-flood}, the source IP) it affects
 * @param startMs first millisecond of the anomaly (inclusive)
 * @param endMs end of the anomaly (exclusive); may lie after the end of a short run
 */
public record Anomaly(String kind, String target, long startMs, long endMs) {

  public Anomaly {
    if (kind == null || target == null || endMs < startMs) {
      throw new IllegalArgumentException("invalid anomaly " + kind + " " + target);
    }
  }

  public boolean covers(long ts) {
    return ts >= startMs && ts < endMs;
  }
}
