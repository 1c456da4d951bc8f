package io.autoglm.monitor.tools.api;

import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.HelpOption;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a node's API: {@code --node}, the token options and {@code --json}. The
 * node's errors and a node that cannot be reached end it with {@code error: ...} on stderr and
 * status 1 ({@code error: node answered 403: <the node's error>}).
 */
public abstract class ClientCommand implements Callable<Integer> {

  @Spec protected CommandSpec spec;

  @Mixin HelpOption help;

  @Mixin protected NodeOptions nodeOptions;

  @Option(names = "--json", description = "print the node's JSON instead of a table")
  protected boolean json;

  protected final ConsoleStreams io;

  protected ClientCommand(ConsoleStreams io) {
    this.io = io;
  }

  @Override
  public final Integer call() {
    return execute(spec, io, nodeOptions, this::run);
  }

  /** Does the command's work; returns its exit status. */
  protected abstract int run(NodeApi api) throws IOException;

  /** A command's work with a client of the node. */
  @FunctionalInterface
  public interface Work {
    int run(NodeApi api) throws IOException;
  }

  /**
   * Runs {@code work} with a client of the node {@code options} name, for a command that has the
   * options without the rest of this class: a failure is {@code error: ...} on stderr (with how to
   * give a token when a 401 came without one) and status 1; a bad --node or token option is a usage
   * error.
   */
  public static int execute(CommandSpec spec, ConsoleStreams io, NodeOptions options, Work work) {
    NodeApi api = options.connect(spec, io);
    try {
      return work.run(api);
    } catch (IOException e) {
      boolean noToken =
          e instanceof NodeApi.ApiException refused
              && refused.status() == 401
              && api.token().isEmpty();
      io.err().println("error: " + e.getMessage() + (noToken ? NodeApi.TOKEN_HINT : ""));
      return CommandLines.EXIT_FAILURE;
    }
  }
}
