package io.autoglm.monitor.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Where a command reads its NDJSON: {@code (--file F | --stdin)}, exactly one of them. */
public final class InputOptions {

  @Option(
      names = "--file",
      paramLabel = "F",
      required = true,
      description = "read this NDJSON file")
  Path file;

  @Option(names = "--stdin", required = true, description = "read NDJSON from standard input")
  boolean stdin;

  /** The file, opened, or {@code stdin}; a file that cannot be opened is a usage error. */
  InputStream open(CommandSpec spec, InputStream stdin) {
    if (file == null) {
      return stdin;
    }
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw OptionChecks.usageError(spec, "option --file: no such file " + file);
    } catch (IOException e) {
      throw OptionChecks.usageError(
          spec, "option --file: cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The file's size in bytes, or 0 when reading standard input (or the size is not known). */
  long size() {
    if (file == null) {
      return 0;
    }
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Where {@link #open} reads: the file name, or "stdin". */
  String name() {
    return file == null ? "stdin" : file.toString();
  }
}
