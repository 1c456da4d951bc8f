package io.autoglm.monitor.agent.cli;

import io.autoglm.monitor.protocols.capture.CaptureBatch;
import java.io.IOException;
import java.net.InetAddress;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code --agent-id} of the commands: its default and its check. */
final class AgentIds {

  private AgentIds() {}

  /** This host's name as an agent id ("agent" if it has none). */
  static String hostName() {
    try {
      String host = usable(InetAddress.getLocalHost().getHostName());
      return host.isEmpty() ? "agent" : host;
    } catch (IOException e) {
      return "agent";
    }
  }

  /** {@code name} with each character an agent id may not hold replaced by '-'. */
  static String usable(String name) {
    return name.replaceAll("[^A-Za-z0-9._:-]", "-");
  }

  /**
   * @return {@code id} if it is a valid agent id, else a usage error naming {@code --agent-id}
   */
  static String checked(CommandSpec spec, String id) {
    if (!CaptureBatch.isValidAgentId(id)) {
      throw OptionChecks.usageError(
          spec,
          "option --agent-id must be 1 to 128 characters from [A-Za-z0-9._:-], got '" + id + "'");
    }
    return id;
  }
}
