package io.autoglm.monitor.agent.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The standard streams a command reads and writes, and the environment it reads settings from
 * ({@code AUTOGLM_TOKEN}, {@code AUTOGLM_NODE}): the process's own, or captured ones in tests.
 * Commands write their data to {@code out} and their progress and errors to {@code err}.
 */
public record ConsoleStreams(
    InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {

  public ConsoleStreams {
    env = Map.copyOf(env);
  }

  /** Streams with an empty environment (tests). */
  public ConsoleStreams(InputStream in, PrintStream out, PrintStream err) {
    this(in, out, err, Map.of());
  }

  public static ConsoleStreams system() {
    return new ConsoleStreams(System.in, System.out, System.err, System.getenv());
  }

  /** The environment variable {@code name}, or null when it is unset or blank. */
  public String env(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }
}
