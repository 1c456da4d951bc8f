package io.autoglm.monitor.agent.cli;

/** A command line the agent cannot run; the message names the offending option. */
public final class UsageException extends Exception {

  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
