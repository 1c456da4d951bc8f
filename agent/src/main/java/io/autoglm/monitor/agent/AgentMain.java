package io.autoglm.monitor.agent;

import io.autoglm.monitor.agent.cli.Commands;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * The agent's own entry point, {@code autoglm-agent}: {@code send} posts NDJSON capture records to
 * a node, {@code stream} streams them with acks and failover, {@code tail} follows a gateway access
 * log. {@code --help} (also after a command) prints the usage.
 */
public final class AgentMain {

  private AgentMain() {}

  public static void main(String[] args) {
    int status = Commands.run(args, ConsoleStreams.system());
    System.out.flush();
    System.exit(status);
  }

  /**
   * Runs one command.
   *
   * @return the exit status: 0 success, 1 failure, 2 bad arguments, 3 (send, stream) some input
   *     lines were invalid and skipped
   */
  public static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    return Commands.run(args, stdin, stdout, stderr);
  }
}
