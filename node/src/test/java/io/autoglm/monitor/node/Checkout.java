package io.autoglm.monitor.node;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this checkout outside the module, found upwards from the working directory. */
final class Checkout {
  private Checkout() {}

  /**
   * {@code first/more...} in the nearest directory above the working directory that has it: the
   * tests run in {@code node/} and, on a newer Java, in {@code node/newer-java/}.
   */
  static Path file(String first, String... more) {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve(Path.of(first, more));
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        "no " + Path.of(first, more) + " above " + Path.of("").toAbsolutePath());
  }
}
