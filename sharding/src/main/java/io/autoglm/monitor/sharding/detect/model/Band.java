package io.autoglm.monitor.sharding.detect.model;

import io.autoglm.monitor.protocols.rule.Direction;

/**
 * The normal range of a metric around its history: centre ± k · spread, as a {@code baseline} rule
 * uses it (mean and σ, an EWMA's mean and σ, or median and scaled MAD). The spread has a floor: a
 * history that barely moved (a constant error rate of 0, a MAD of 0 where most windows are equal)
 * would otherwise put any change at infinitely many σ.
 *
 * @param center the history's centre
 * @param spread its spread (σ or an estimate of it), before the floor
 * @param minSpread the least spread to divide by, ≥ 0 (e.g. 0.005 for a rate, 1 ms for latency)
 * @param k how many spreads from the centre the band reaches, > 0
 * @param what how the history is described in explanations, e.g. {@code "1 h baseline"}
 */
public record Band(double center, double spread, double minSpread, double k, String what) {

  public Band {
    if (!(k > 0)) {
      throw new IllegalArgumentException("k must be > 0, got " + k);
    }
    if (!(minSpread >= 0)) {
      throw new IllegalArgumentException("the spread floor must be >= 0, got " + minSpread);
    }
  }

  /** The spread divided by: {@code max(spread, minSpread)}. */
  public double effectiveSpread() {
    return Math.max(spread, minSpread);
  }

  public double lower() {
    return center - k * effectiveSpread();
  }

  public double upper() {
    return center + k * effectiveSpread();
  }

  /**
   * How many spreads {@code value} lies from the centre, signed; 0 when both spread and floor are 0
   * and the value is the centre, ±∞ when it is not.
   */
  public double deviations(double value) {
    double d = value - center;
    double s = effectiveSpread();
    return s > 0 ? d / s : d == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, d);
  }

  /** Whether {@code value} leaves the band the way {@code direction} watches. */
  public boolean breachedBy(double value, Direction direction) {
    return !Double.isNaN(value) && direction.reaches(deviations(value), k);
  }

  /** E.g. {@code error_rate 0.31 is 9.4σ above the 1 h baseline 0.012 ± 0.032}. */
  public String explain(String metric, double value) {
    double n = deviations(value);
    return metric
        + " "
        + Readable.number(value)
        + " is "
        + (Double.isInfinite(n)
            ? "far"
            : String.format(java.util.Locale.ROOT, "%.1fσ", Math.abs(n)))
        + (n >= 0 ? " above" : " below")
        + " the "
        + what
        + " "
        + Readable.number(center)
        + " ± "
        + Readable.number(effectiveSpread());
  }
}
