package io.autoglm.monitor.agent.cli;

import java.io.InputStream;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** {@code autoglm-agent}: the agent's commands, {@code send}, {@code stream} and {@code tail}. */
@Command(
    name = "autoglm-agent",
    description = "The capture agent: ships capture records and gateway access logs to a node.")
public final class Commands extends CommandGroup {

  public static final int EXIT_OK = CommandLines.EXIT_OK;
  public static final int EXIT_FAILURE = CommandLines.EXIT_FAILURE;
  public static final int EXIT_USAGE = CommandLines.EXIT_USAGE;

  private Commands() {}

  /**
   * The agent's command tree, not yet configured: {@code ./autoglm} mounts it as {@code agent} and
   * adds commands of its own before running it with {@link CommandLines#execute}.
   */
  public static CommandLine commandLine(ConsoleStreams io) {
    return new CommandLine(new Commands())
        .addSubcommand(new SendCommand(io))
        .addSubcommand(new StreamCommand(io))
        .addSubcommand(new TailCommand(io))
        .addSubcommand(new HelpCommand());
  }

  /**
   * Runs one command.
   *
   * @return the exit status: 0 success, 1 failure, 2 bad arguments, 3 (send, stream) some input
   *     lines were invalid and skipped
   */
  public static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    return run(args, new ConsoleStreams(stdin, stdout, stderr));
  }

  /** Runs one command with these streams and environment. */
  public static int run(String[] args, ConsoleStreams io) {
    return CommandLines.execute(commandLine(io), io, args);
  }
}
