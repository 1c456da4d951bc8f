package io.autoglm.monitor.agent.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The standard streams a command reads and writes: the process's own, or captured ones in tests.
 * Commands write their data to {@code out} and their progress and errors to {@code err}.
 */
public record ConsoleStreams(InputStream in, PrintStream out, PrintStream err) {

  public static ConsoleStreams system() {
    return new ConsoleStreams(System.in, System.out, System.err);
  }
}
