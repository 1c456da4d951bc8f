package io.autoglm.monitor.sharding.detect.model;

import java.util.Arrays;

/**
 * Additive Holt-Winters (triple exponential smoothing): a level, a trend and one seasonal offset
 * per position in the season (e.g. 1,440 one-minute windows for a daily season), each smoothed by
 * its own factor. It forecasts the next windows as level + trend + the season's offset, so the
 * daily peak is expected rather than anomalous.
 *
 * <p>Start: the first full season's mean is the level, the difference between the means of the
 * first two seasons, per window, is the trend, and each value of the first season minus the level
 * is its seasonal offset. So at least two seasons of history are needed ({@link #MIN_SEASONS}).
 * Then for each value {@code x} at time {@code t} with season period {@code m}:
 *
 * <pre>
 *   level  = α · (x − season[t − m]) + (1 − α) · (level + trend)
 *   trend  = β · (level − previous level) + (1 − β) · trend
 *   season[t] = γ · (x − level) + (1 − γ) · season[t − m]
 *   forecast(t + h) = level + h · trend + season[t + h − m]   (h ≤ m)
 * </pre>
 *
 * <p>The residuals of the one-step forecasts since the start give the spread of the prediction band
 * ({@link Model#residualStdDev()}).
 *
 * @param alpha smoothing of the level, in (0, 1)
 * @param beta smoothing of the trend, in [0, 1)
 * @param gamma smoothing of the seasonal offsets, in [0, 1)
 * @param period the windows in one season, at least 2
 */
public record HoltWinters(double alpha, double beta, double gamma, int period) {

  /** Seasons of history needed to start. */
  public static final int MIN_SEASONS = 2;

  public HoltWinters {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException("beta must be in [0, 1), got " + beta);
    }
    if (!(gamma >= 0 && gamma < 1)) {
      throw new IllegalArgumentException("gamma must be in [0, 1), got " + gamma);
    }
    if (period < 2) {
      throw new IllegalArgumentException("a season must be at least 2 windows, got " + period);
    }
  }

  /**
   * A fitted model: where the series stands after its last value.
   *
   * @param seasonal the offsets of the last {@code period} windows, the oldest first: {@code
   *     seasonal[0]} is that of the window one season before the next one
   * @param oneStepForecasts the forecast made for each value after the first season, before it was
   *     seen (NaN for the first season's values)
   */
  public record Model(
      HoltWinters params,
      double level,
      double trend,
      double[] seasonal,
      double residualStdDev,
      double[] oneStepForecasts) {

    /** The forecast {@code h} windows after the last value (1 ≤ h ≤ period). */
    public double forecast(int h) {
      if (h < 1 || h > seasonal.length) {
        throw new IllegalArgumentException(
            "forecast 1.." + seasonal.length + " windows ahead, got " + h);
      }
      return level + h * trend + seasonal[h - 1];
    }
  }

  /**
   * Fits the model to {@code series}, one value per window, oldest first. A NaN value (a window
   * without data) takes the forecast for it, so a gap does not tear the season apart.
   *
   * @throws IllegalArgumentException if the series is shorter than {@value #MIN_SEASONS} seasons or
   *     its first two seasons hold a NaN
   */
  public Model fit(double[] series) {
    int m = period;
    if (series.length < MIN_SEASONS * m) {
      throw new IllegalArgumentException(
          "Holt-Winters needs "
              + MIN_SEASONS
              + " seasons ("
              + MIN_SEASONS * m
              + " windows) of history, got "
              + series.length);
    }
    double first = 0;
    double second = 0;
    for (int i = 0; i < m; i++) {
      if (Double.isNaN(series[i]) || Double.isNaN(series[m + i])) {
        throw new IllegalArgumentException("the first two seasons must have no gaps");
      }
      first += series[i];
      second += series[m + i];
    }
    first /= m;
    second /= m;
    return run(series, first, (second - first) / m);
  }

  /**
   * Fits the model to {@code series} of one season and more, where two are not to be had (a weekly
   * season on 8 days of history): the first season gives the level and the offsets, the trend
   * starts at 0 and is learnt from there on.
   *
   * @throws IllegalArgumentException if the series is not longer than one season or its first
   *     season holds a NaN
   */
  public Model fitFromOneSeason(double[] series) {
    int m = period;
    if (series.length <= m) {
      throw new IllegalArgumentException(
          "Holt-Winters needs more than one season (" + m + " windows), got " + series.length);
    }
    double first = 0;
    for (int i = 0; i < m; i++) {
      if (Double.isNaN(series[i])) {
        throw new IllegalArgumentException("the first season must have no gaps");
      }
      first += series[i];
    }
    return run(series, first / m, 0);
  }

  /** The model after the values past the first season, from {@code level} and {@code trend}. */
  private Model run(double[] series, double level, double trend) {
    int m = period;
    // a ring of the last m offsets: season[(t) % m] is that of window t - m until t is seen
    double[] season = new double[m];
    for (int i = 0; i < m; i++) {
      season[i] = series[i] - level;
    }
    double[] forecasts = new double[series.length];
    Arrays.fill(forecasts, 0, m, Double.NaN);
    double squares = 0;
    int residuals = 0;
    for (int t = m; t < series.length; t++) {
      int s = t % m;
      double forecast = level + trend + season[s];
      forecasts[t] = forecast;
      double x = series[t];
      if (Double.isNaN(x)) {
        x = forecast;
      } else {
        squares += (x - forecast) * (x - forecast);
        residuals++;
      }
      double previous = level;
      level = alpha * (x - season[s]) + (1 - alpha) * (level + trend);
      trend = beta * (level - previous) + (1 - beta) * trend;
      season[s] = gamma * (x - level) + (1 - gamma) * season[s];
    }
    double[] ordered = new double[m]; // the offset of the window one season before the next
    int next = series.length % m;
    for (int i = 0; i < m; i++) {
      ordered[i] = season[(next + i) % m];
    }
    double residualStdDev = residuals > 0 ? Math.sqrt(squares / residuals) : Double.NaN;
    return new Model(this, level, trend, ordered, residualStdDev, forecasts);
  }
}
