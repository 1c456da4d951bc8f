package io.autoglm.monitor.sharding.detect.model;

import java.util.Arrays;

/**
 * The centre and spread of a history of metric values, two ways: mean and sample standard deviation
 * (for {@code baseline}), and median and median absolute deviation (for the robust variant, which
 * one outlier does not drag). Values that are NaN (windows without data for the metric) are left
 * out.
 *
 * @param count the values summarized
 * @param mean their mean; NaN when there are none
 * @param stdDev their sample standard deviation (divides by {@code count - 1}); 0 for one value,
 *     NaN for none
 * @param median their median (the mean of the middle two for an even count); NaN for none
 * @param mad their median absolute deviation from the median, unscaled; NaN for none
 */
public record SeriesSummary(int count, double mean, double stdDev, double median, double mad) {

  /**
   * The factor that makes the MAD of normally distributed values estimate their standard deviation
   * (1 / Φ⁻¹(3/4)): a band of k · {@link #scaledMad()} is comparable to one of k · σ.
   */
  public static final double MAD_TO_SIGMA = 1.4826;

  /** The summary of {@code values}; none of them is changed. */
  public static SeriesSummary of(double[] values) {
    double[] xs = Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    int n = xs.length;
    if (n == 0) {
      return new SeriesSummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    // Welford's one pass: no cancellation when the values are large and close together
    double mean = 0;
    double m2 = 0;
    for (int i = 0; i < n; i++) {
      double delta = xs[i] - mean;
      mean += delta / (i + 1);
      m2 += delta * (xs[i] - mean);
    }
    double stdDev = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
    Arrays.sort(xs);
    double median = medianOfSorted(xs);
    double[] deviations = new double[n];
    for (int i = 0; i < n; i++) {
      deviations[i] = Math.abs(xs[i] - median);
    }
    Arrays.sort(deviations);
    return new SeriesSummary(n, mean, stdDev, median, medianOfSorted(deviations));
  }

  /** The MAD scaled to estimate a standard deviation: {@code mad · }{@value #MAD_TO_SIGMA}. */
  public double scaledMad() {
    return mad * MAD_TO_SIGMA;
  }

  private static double medianOfSorted(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
