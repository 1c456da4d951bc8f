package io.autoglm.monitor.agent;

import io.autoglm.monitor.agent.cli.Commands;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * The agent's command line: {@code generate} writes synthetic capture traffic, {@code send} ships
 * NDJSON capture records to a node. Run without arguments for the usage.
 */
public final class AgentMain {

  private AgentMain() {}

  public static void main(String[] args) {
    int status = run(args, System.in, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /**
   * Runs one command.
   *
   * @return the exit status: 0 success, 1 failure, 2 bad arguments, 3 (send) some input lines were
   *     invalid and skipped
   */
  public static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    return Commands.run(args, stdin, stdout, stderr);
  }
}
