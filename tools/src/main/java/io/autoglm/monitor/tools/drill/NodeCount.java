package io.autoglm.monitor.tools.drill;

import io.autoglm.monitor.agent.cli.OptionChecks;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The {@code --nodes} option of the drills that run a fixed number of nodes throughout. */
final class NodeCount {
  static final int MAX = 5;

  @Option(names = "--nodes", paramLabel = "N", description = "nodes, at most 5 (default: 3)")
  int nodes = 3;

  /** Checks that {@code --nodes} lies in {@code [min, MAX]}; the usage error names the option. */
  int check(CommandSpec spec, int min) {
    return OptionChecks.between(spec, "--nodes", nodes, min, MAX);
  }
}
