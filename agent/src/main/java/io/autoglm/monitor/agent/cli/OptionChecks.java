package io.autoglm.monitor.agent.cli;

import java.io.IOException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values that picocli's type conversion does not do (ranges, formats); each
 * failure is a usage error (exit status 2) whose message names the option.
 */
public final class OptionChecks {

  private OptionChecks() {}

  /** A usage error of {@code spec}'s command: picocli prints it with the command's usage. */
  public static ParameterException usageError(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * @return {@code value} if it lies in {@code [min, max]}
   */
  public static long between(CommandSpec spec, String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw usageError(
          spec, "option " + option + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /**
   * @return {@code value} if it lies in {@code [min, max]}
   */
  public static int between(CommandSpec spec, String option, int value, int min, int max) {
    return (int) between(spec, option, (long) value, min, max);
  }

  /**
   * @return {@code value} if it lies in {@code [min, max]} (NaN does not)
   */
  public static double between(
      CommandSpec spec, String option, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw usageError(
          spec, "option " + option + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /** An I/O error as a user reads it: the JDK's message, or its type when it has none. */
  public static String describe(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
