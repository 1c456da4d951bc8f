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
    NodeApi api = nodeOptions.connect(spec, io);
    try {
      return run(api);
    } catch (IOException e) {
      boolean noToken =
          e instanceof NodeApi.ApiException refused
              && refused.status() == 401
              && api.token().isEmpty();
      io.err().println("error: " + e.getMessage() + (noToken ? NodeApi.TOKEN_HINT : ""));
      return CommandLines.EXIT_FAILURE;
    }
  }

  /** Does the command's work; returns its exit status. */
  protected abstract int run(NodeApi api) throws IOException;
}
