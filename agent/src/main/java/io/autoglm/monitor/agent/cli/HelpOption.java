package io.autoglm.monitor.agent.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for a command: its usage on stdout, exit status 0. */
public final class HelpOption {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "print this help and exit")
  boolean help;
}
