package io.autoglm.monitor.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/** Dispatches the agent's commands and turns failures into messages and exit statuses. */
public final class Commands {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  public static final String USAGE =
      "usage: autoglm-agent <command> [options]\n\n"
          + SendCommand.USAGE
          + "\n"
          + StreamCommand.USAGE
          + "\n"
          + TailCommand.USAGE;

  private Commands() {}

  public static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    if (args.length == 0) {
      stderr.println("error: no command given");
      stderr.print(USAGE);
      return EXIT_USAGE;
    }
    String command = args[0];
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      switch (command) {
        case "send":
          return SendCommand.run(rest, stdin, stdout, stderr);
        case "stream":
          return StreamCommand.run(rest, stdin, stdout, stderr);
        case "tail":
          return TailCommand.run(rest, stdout, stderr);
        case "help":
        case "-h":
        case "--help":
          stdout.print(USAGE);
          return EXIT_OK;
        default:
          throw new UsageException("unknown command '" + command + "'");
      }
    } catch (UsageException e) {
      stderr.println("error: " + e.getMessage());
      stderr.print(USAGE);
      return EXIT_USAGE;
    } catch (IOException | UncheckedIOException e) {
      stderr.println("error: " + e);
      return EXIT_FAILURE;
    } finally {
      stdout.flush();
    }
  }
}
