package io.autoglm.monitor.persistence.stats;

/**
 * Counter arithmetic that never wraps: a sum past {@link Long#MAX_VALUE} stays there. Every
 * statistic that adds up client-supplied numbers (tokens, bytes, request counts) goes through it,
 * so no input, however many records it takes, can turn a total negative.
 */
public final class Saturating {
  private Saturating() {}

  /** {@code a + b} for counts {@code >= 0}, capped at {@link Long#MAX_VALUE}. */
  public static long add(long a, long b) {
    long sum = a + b;
    // overflow iff both operands have the sign opposite to the sum's
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return sum < 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return sum;
  }
}
