package io.autoglm.monitor.protocols.rule;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.autoglm.monitor.protocols.CborSerializable;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a rule of a kind other than {@code threshold} decides that a value is wrong: against its own
 * history ({@link Baseline}), against the same window a day or a week earlier ({@link Change}),
 * against a seasonal forecast ({@link Forecast}), or all of these with numbers chosen for the
 * operator ({@link Auto}). A {@code threshold} rule has none (null): it compares with its fixed
 * {@code threshold}.
 *
 * <p><b>Stored</b> in the journal and snapshots, inside {@link ThresholdRule}, with its kind as
 * {@code "kind"}: never rename or move these types, nor rename a component or a kind (see
 * persistence/README.md, "Stored types and how they evolve").
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Detection.Baseline.class, name = "baseline"),
  @JsonSubTypes.Type(value = Detection.Change.class, name = "change"),
  @JsonSubTypes.Type(value = Detection.Forecast.class, name = "forecast"),
  @JsonSubTypes.Type(value = Detection.Auto.class, name = "auto")
})
public sealed interface Detection extends CborSerializable {

  /** The rule kind this detection makes. */
  RuleKind kind();

  /** The way the value must move to count; {@link Auto} watches each signal its own way. */
  Direction direction();

  /**
   * {@code baseline}: the value leaves {@code centre ± k · spread} of the metric's values over the
   * last {@code historyMs} (one per minute, the current window left out).
   *
   * @param method how centre and spread are estimated
   * @param k how many spreads wide the band is, (0, 100]
   * @param historyMs how far back the history reaches
   * @param minSamples the least minutes of history (with data) before the rule can fire
   * @param minSpread the least spread divided by (a floor for histories that barely move), ≥ 0; in
   *     the metric's unit
   * @param minSpreadRatio the least spread as a fraction of the centre, ≥ 0 (0.1: a QPS of 500 is
   *     given a spread of at least 50)
   */
  record Baseline(
      BaselineMethod method,
      double k,
      long historyMs,
      int minSamples,
      Direction direction,
      double minSpread,
      double minSpreadRatio)
      implements Detection {
    @Override
    public RuleKind kind() {
      return RuleKind.BASELINE;
    }
  }

  /**
   * {@code change}: day-over-day or week-over-week. The window's value against the same window
   * {@code offsetMs} earlier, read from the rollup history; it fires when the change reaches the
   * rule's {@code threshold} (a fraction for {@link ChangeMode#RATIO}: 0.5 is +50 %). Both windows
   * need the rule's {@code min_requests}.
   *
   * @param offsetMs 1 day or 7 days
   */
  record Change(long offsetMs, ChangeMode mode, Direction direction) implements Detection {
    @Override
    public RuleKind kind() {
      return RuleKind.CHANGE;
    }
  }

  /**
   * {@code forecast}: additive Holt-Winters with a daily season over {@code stepMs} steps (a weekly
   * one where 8 days of history exist) predicts the value; it fires when the value leaves {@code
   * forecast ± k · σ} of the model's one-step residuals.
   *
   * @param stepMs the step of the modelled series, a whole number of minutes dividing a day
   */
  record Forecast(double k, long stepMs, Direction direction) implements Detection {
    @Override
    public RuleKind kind() {
      return RuleKind.FORECAST;
    }
  }

  /**
   * {@code auto}: the default smart rule. It watches error rate, P95 latency and QPS (surge and
   * drop) with the detectors and numbers of its {@link Sensitivity} (see the README's table).
   */
  record Auto(Sensitivity sensitivity) implements Detection {
    @Override
    public RuleKind kind() {
      return RuleKind.AUTO;
    }

    @Override
    public Direction direction() {
      return Direction.BOTH;
    }
  }

  /** How a {@link Baseline} estimates the centre and spread of its history. */
  enum BaselineMethod {
    /** Mean and sample standard deviation. */
    STDDEV,
    /** Exponentially weighted mean and standard deviation: recent minutes weigh most. */
    EWMA,
    /** Median and scaled median absolute deviation: one outlier does not drag it. */
    MAD;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<BaselineMethod> fromWireName(String name) {
      return Arrays.stream(values()).filter(m -> m.wireName().equals(name)).findFirst();
    }
  }

  /** How a {@link Change} measures the change. */
  enum ChangeMode {
    /** {@code (now − then) / then}. */
    RATIO,
    /** {@code now − then}, in the metric's unit. */
    ABSOLUTE;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ChangeMode> fromWireName(String name) {
      return Arrays.stream(values()).filter(m -> m.wireName().equals(name)).findFirst();
    }
  }

  /** The one knob of {@link Auto}: how readily it fires. */
  enum Sensitivity {
    LOW,
    MEDIUM,
    HIGH;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Sensitivity> fromWireName(String name) {
      return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
    }
  }
}
