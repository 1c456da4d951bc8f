package io.autoglm.monitor.tools.drill;

import io.autoglm.monitor.agent.cli.OptionChecks;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/**
 * A drill that runs {@code --nodes} nodes from start to end (all but {@code scale-out}): the
 * option, its bounds and the node counts.
 */
abstract class FixedSizeDrill extends ClusterDrill {
  static final int MAX_NODES = 5;

  @Option(names = "--nodes", paramLabel = "N", description = "nodes, at most 5 (default: 3)")
  int nodes = 3;

  FixedSizeDrill(PrintStream out) {
    super(out);
  }

  /** Checks that {@code --nodes} lies in {@code [min, MAX_NODES]}; returns it. */
  int checkNodes(int min) {
    return OptionChecks.between(spec, "--nodes", nodes, min, MAX_NODES);
  }

  @Override
  final int nodesAtStart() {
    return nodes;
  }

  @Override
  final int maxNodes() {
    return nodes;
  }
}
