package io.autoglm.monitor.tools.api;

import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.agent.cli.TokenOptions;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Which node a client command talks to and with which token: {@code --node URL} (else {@code
 * AUTOGLM_NODE}, else {@value NodeApi#DEFAULT_NODE}) and the {@link TokenOptions}.
 */
public final class NodeOptions {

  @Option(
      names = "--node",
      paramLabel = "URL",
      description =
          "the node's API, e.g. https://mon-1:8443 (default: $AUTOGLM_NODE, else "
              + NodeApi.DEFAULT_NODE
              + ")")
  String node;

  @Mixin TokenOptions tokens;

  /**
   * A client of the node these options name.
   *
   * @throws picocli.CommandLine.ParameterException naming the option or variable at fault
   */
  public NodeApi connect(CommandSpec spec, ConsoleStreams io) {
    String source = node != null ? "option --node" : NodeApi.NODE_ENV;
    String value = node != null ? node : io.env(NodeApi.NODE_ENV);
    URI base;
    try {
      base = NodeApi.parseBase(value != null ? value : NodeApi.DEFAULT_NODE);
    } catch (IllegalArgumentException e) {
      throw OptionChecks.usageError(spec, source + " " + e.getMessage());
    }
    return new NodeApi(base, tokens.resolve(spec, io).orElse(null), Duration.ofSeconds(30));
  }
}
