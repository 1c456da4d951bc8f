package io.autoglm.monitor.agent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.Column.Overflow;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Runs a tree of picocli commands the same way for every entry point ({@code autoglm-agent}, {@code
 * ./autoglm}): usage and help on stdout with status 0; a usage error as {@code error: MESSAGE} and
 * the command's usage on stderr with status 2; a failed command as {@code error: EXCEPTION} with
 * status 1 (other statuses are the command's own).
 */
public final class CommandLines {

  public static final int EXIT_OK = CommandLine.ExitCode.OK;
  public static final int EXIT_FAILURE = CommandLine.ExitCode.SOFTWARE;
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  private CommandLines() {}

  /** Configures {@code root} (with all its subcommands added) and runs it on {@code args}. */
  public static int execute(CommandLine root, ConsoleStreams io, String... args) {
    configure(root, io);
    try {
      return root.execute(args);
    } finally {
      root.getOut().flush();
      root.getErr().flush();
      io.out().flush();
    }
  }

  /** Streams, error handling and the look of the usage, for {@code root} and its subcommands. */
  static void configure(CommandLine root, ConsoleStreams io) {
    root.setOut(new PrintWriter(io.out(), true));
    root.setErr(new PrintWriter(io.err(), true));
    root.setCaseInsensitiveEnumValuesAllowed(true);
    root.setParameterExceptionHandler(CommandLines::usageError);
    root.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (!(e instanceof IOException || e instanceof UncheckedIOException)) {
            throw e; // a bug: picocli prints the stack trace, status 1
          }
          commandLine.getErr().println("error: " + e);
          return EXIT_FAILURE;
        });
    styleUsage(root);
  }

  private static void styleUsage(CommandLine commandLine) {
    UsageMessageSpec usage = commandLine.getCommandSpec().usageMessage();
    usage
        .synopsisHeading("usage: ")
        .descriptionHeading("%n")
        .parameterListHeading("%narguments:%n")
        .optionListHeading("%noptions:%n")
        .commandListHeading("%ncommands:%n")
        .sortOptions(false)
        .sortSynopsis(false);
    if (usage.exitCodeListHeading().isEmpty() && !usage.exitCodeList().isEmpty()) {
      usage.exitCodeListHeading("%nexit status:%n");
    }
    commandLine
        .getHelpSectionMap()
        .put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, CommandLines::commandTree);
    commandLine.getSubcommands().values().forEach(CommandLines::styleUsage);
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("error: " + message(e));
    if (e instanceof UnmatchedArgumentException unmatched) {
      UnmatchedArgumentException.printSuggestions(unmatched, err);
    }
    err.print(commandLine.getUsageMessage(commandLine.getColorScheme()));
    err.flush();
    return EXIT_USAGE;
  }

  /** picocli's message, but an unmatched argument says whether it is an option or a command. */
  private static String message(ParameterException e) {
    CommandSpec spec = e.getCommandLine().getCommandSpec();
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      String first = unmatched.getUnmatched().get(0);
      if (unmatched.isUnknownOption()) {
        return "unknown option " + first.split("=", 2)[0] + " for " + spec.name();
      }
      if (!spec.subcommands().isEmpty()) {
        return "unknown command '" + first + "'";
      }
      return "unexpected argument '" + first + "' for " + spec.name();
    }
    String message = e.getMessage();
    return message.startsWith("Error: ") ? message.substring("Error: ".length()) : message;
  }

  /**
   * The commands section: every runnable command below this one, with the path to it ({@code agent
   * tail}), so that one help page shows them all.
   */
  private static String commandTree(Help help) {
    List<String[]> rows = new ArrayList<>();
    addCommands(help.commandSpec(), "", rows);
    if (rows.isEmpty()) {
      return "";
    }
    int nameWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 4;
    int width = help.commandSpec().usageMessage().width();
    TextTable table =
        TextTable.forColumns(
            help.colorScheme(),
            new Column(nameWidth, 2, Overflow.SPAN),
            new Column(Math.max(20, width - nameWidth), 0, Overflow.WRAP));
    for (String[] row : rows) {
      table.addRowValues(row);
    }
    return table.toString();
  }

  private static void addCommands(CommandSpec spec, String prefix, List<String[]> rows) {
    List<String[]> help = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : spec.subcommands().entrySet()) {
      CommandSpec sub = e.getValue().getCommandSpec();
      if (sub.usageMessage().hidden() || !e.getKey().equals(sub.name())) {
        continue; // hidden, or an alias
      }
      String path = prefix + sub.name();
      if (sub.helpCommand()) {
        if (prefix.isEmpty()) { // one help command, that of the command shown, at the end
          help.add(new String[] {path, summary(sub)});
        }
      } else if (sub.subcommands().isEmpty()) {
        rows.add(new String[] {path, summary(sub)});
      } else {
        addCommands(sub, path + " ", rows);
      }
    }
    rows.addAll(help);
  }

  private static String summary(CommandSpec spec) {
    UsageMessageSpec usage = spec.usageMessage();
    String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
    return lines.length == 0 ? "" : String.format(lines[0]);
  }
}
