package io.autoglm.monitor.tools.bench;

import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * Duration options as the rules write them ({@code 500ms}, {@code 2s}, {@code 1m}; a plain number
 * is seconds), converted to milliseconds. A value that is no duration is a usage error naming the
 * option (picocli's "Invalid value for option ...").
 */
final class DurationMs implements ITypeConverter<Long> {

  @Override
  public Long convert(String value) {
    String text = value.trim();
    try {
      return text.matches("\\d+") ? Long.parseLong(text) * 1000 : RuleCodec.parseDuration(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  /**
   * @return {@code ms} if it lies in {@code [minMs, maxMs]}, else a usage error naming {@code
   *     option} with the bounds written as durations
   */
  static long between(CommandSpec spec, String option, long ms, long minMs, long maxMs) {
    if (ms < minMs || ms > maxMs) {
      throw OptionChecks.usageError(
          spec,
          "option "
              + option
              + " must be between "
              + RuleCodec.formatDuration(minMs)
              + " and "
              + RuleCodec.formatDuration(maxMs)
              + ", got "
              + RuleCodec.formatDuration(ms));
    }
    return ms;
  }
}
