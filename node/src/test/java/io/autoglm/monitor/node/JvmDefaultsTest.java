package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * On a two-core machine a JVM's dependent async stages start a thread each unless {@link
 * JvmDefaults#apply()} ran first. Each case runs in a JVM of its own that sees two cores, as the
 * common pool is sized once per JVM.
 */
class JvmDefaultsTest {

  /** Prints the async stages' default executor, with or without {@link JvmDefaults#apply()}. */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("apply")) {
      JvmDefaults.apply();
    }
    Object executor = new CompletableFuture<Void>().defaultExecutor();
    System.out.print(
        (executor == ForkJoinPool.commonPool() ? "common pool" : executor.getClass().getName())
            + " / "
            + ForkJoinPool.getCommonPoolParallelism());
  }

  @Test
  void onTwoCoresAsyncStagesRunOnAPoolOnlyOnceApplied() throws Exception {
    String unapplied = childJvm();
    if (Runtime.version().feature() == 17) {
      // Java 17 (the build's target): a thread per task (Java 25 uses the common pool anyway)
      assertTrue(
          unapplied.contains("ThreadPerTaskExecutor") && unapplied.endsWith("/ 1"), unapplied);
    }
    assertEquals("common pool / 2", childJvm("apply"));
  }

  @Test
  void aParallelismSetOnTheCommandLineIsKept() throws Exception {
    assertEquals(
        "common pool / 3", childJvm("-D" + JvmDefaults.COMMON_POOL_PARALLELISM + "=3", "apply"));
  }

  private static String childJvm(String... args) throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ActiveProcessorCount=2",
                "-cp",
                System.getProperty("java.class.path")));
    for (String a : args) {
      if (a.startsWith("-D")) {
        command.add(a);
      }
    }
    command.add(JvmDefaultsTest.class.getName());
    for (String a : args) {
      if (!a.startsWith("-D")) {
        command.add(a);
      }
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not exit");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }
}
