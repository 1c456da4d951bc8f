package io.autoglm.monitor.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options of one command: {@code --name value}, {@code --name=value} or, for flags, {@code
 * --name}. Unknown options, missing values, repeated options and stray arguments are usage errors.
 */
public final class CliArgs {

  private final String command;
  private final Map<String, String> values;
  private final Set<String> flags;

  private CliArgs(String command, Map<String, String> values, Set<String> flags) {
    this.command = command;
    this.values = values;
    this.flags = flags;
  }

  /**
   * @param valued the options that take a value, without {@code --}
   * @param flagNames the options without a value
   */
  public static CliArgs parse(
      String command, List<String> args, Set<String> valued, Set<String> flagNames)
      throws UsageException {
    Map<String, String> values = new HashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument '" + arg + "' for " + command);
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flagNames.contains(name)) {
        if (value != null) {
          throw new UsageException("option --" + name + " takes no value");
        }
        if (!flags.add(name)) {
          throw new UsageException("option --" + name + " is given twice");
        }
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
            throw new UsageException("option --" + name + " needs a value");
          }
          value = args.get(++i);
        }
        if (values.put(name, value) != null) {
          throw new UsageException("option --" + name + " is given twice");
        }
      } else {
        throw new UsageException("unknown option --" + name + " for " + command);
      }
    }
    return new CliArgs(command, values, flags);
  }

  public String command() {
    return command;
  }

  public boolean flag(String name) {
    return flags.contains(name);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public Optional<String> string(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public long longValue(String name, long defaultValue, long min, long max) throws UsageException {
    String raw = values.get(name);
    if (raw == null) {
      return defaultValue;
    }
    long v;
    try {
      v = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("option --" + name + " needs an integer, got '" + raw + "'");
    }
    if (v < min || v > max) {
      throw new UsageException(
          "option --" + name + " must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  public int intValue(String name, int defaultValue, int min, int max) throws UsageException {
    return (int) longValue(name, defaultValue, min, max);
  }

  public double doubleValue(String name, double defaultValue, double min, double max)
      throws UsageException {
    String raw = values.get(name);
    if (raw == null) {
      return defaultValue;
    }
    double v;
    try {
      v = Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("option --" + name + " needs a number, got '" + raw + "'");
    }
    if (!(v >= min && v <= max)) {
      throw new UsageException(
          "option --" + name + " must be between " + min + " and " + max + ", got " + raw);
    }
    return v;
  }

  /**
   * The input named by {@code --file F}, or {@code stdin} with {@code --stdin} (exactly one is
   * given).
   */
  public InputStream input(InputStream stdin) throws UsageException {
    if (has("file") == flag("stdin")) {
      throw new UsageException(command + " needs exactly one of --file F and --stdin");
    }
    if (!has("file")) {
      return stdin;
    }
    Path file = Path.of(string("file").orElseThrow());
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new UsageException("option --file: no such file " + file);
    } catch (IOException e) {
      throw new UsageException("option --file: cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Where {@link #input} reads: the file name, or "stdin". */
  public String inputName() {
    return string("file").orElse("stdin");
  }
}
