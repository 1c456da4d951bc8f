package io.autoglm.monitor.sharding.detect.model;

/**
 * An exponentially weighted moving mean and variance: each new value moves the mean by {@code
 * alpha} of its distance, so recent windows weigh most and an old disturbance fades. The variance
 * is updated the same way (West 1979): {@code var ← (1 − α) · (var + α · (x − mean)²)}, from the
 * mean before the update. Immutable: {@link #next} returns the moving state after one more value.
 *
 * @param alpha the weight of a new value, in (0, 1]
 * @param count values seen (NaN ones are skipped and not counted)
 * @param mean the moving mean; NaN before the first value
 * @param variance the moving variance; 0 after one value, NaN before
 */
public record Ewma(double alpha, long count, double mean, double variance) {

  public Ewma {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    }
  }

  /** No value seen yet. */
  public static Ewma start(double alpha) {
    return new Ewma(alpha, 0, Double.NaN, Double.NaN);
  }

  /**
   * The smoothing factor whose weights have the centre of mass of a simple moving average over
   * {@code windows} values: {@code 2 / (windows + 1)}.
   */
  public static double alphaForSpan(int windows) {
    if (windows < 1) {
      throw new IllegalArgumentException("span must be at least 1 window, got " + windows);
    }
    return 2.0 / (windows + 1);
  }

  /** The state after {@code x}; a NaN (a window without data) changes nothing. */
  public Ewma next(double x) {
    if (Double.isNaN(x)) {
      return this;
    }
    if (count == 0) {
      return new Ewma(alpha, 1, x, 0);
    }
    double diff = x - mean;
    return new Ewma(
        alpha, count + 1, mean + alpha * diff, (1 - alpha) * (variance + alpha * diff * diff));
  }

  public double stdDev() {
    return Math.sqrt(variance);
  }
}
