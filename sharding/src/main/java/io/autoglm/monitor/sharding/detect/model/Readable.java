package io.autoglm.monitor.sharding.detect.model;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Numbers as an alert's explanation shows them: {@code 5,210}, {@code 0.012}, {@code +75 %}. */
public final class Readable {
  private Readable() {}

  /**
   * Whole numbers with thousands separators from 1,000 on; smaller ones to 3 significant digits.
   */
  public static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    if (Math.abs(v) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (v == 0) {
      return "0";
    }
    return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /** A signed number: {@code +0.298}, {@code -12}. */
  static String signed(double v) {
    return (v >= 0 ? "+" : "") + number(v);
  }

  /** A relative change as a signed whole percentage: {@code +75 %}, {@code -40 %}. */
  static String percent(double ratio) {
    if (Double.isInfinite(ratio)) {
      return ratio > 0 ? "from none" : "to none";
    }
    return String.format(Locale.ROOT, "%+,.0f %%", ratio * 100);
  }
}
