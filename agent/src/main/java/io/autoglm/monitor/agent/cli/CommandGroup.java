package io.autoglm.monitor.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands: run without one, it is a usage error. */
public abstract class CommandGroup implements Callable<Integer> {

  @Spec protected CommandSpec spec;

  @Mixin HelpOption help;

  @Override
  public Integer call() {
    throw OptionChecks.usageError(spec, "no command given");
  }
}
