package io.autoglm.monitor.protocols.capture;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Decodes what the shared benchmark generator writes, when python3 and the script are here. */
class GeneratedTrafficDecodeTest {

  static final Path SCRIPT = Path.of("/work/shared/bench/capture-gen.py");

  @Test
  void decodesTheFirst10000LinesOfTheMixedScenario() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(SCRIPT), "no " + SCRIPT);
    Assumptions.assumeTrue(python3Works(), "python3 is not available");
    Path out = Path.of("target", "capture-gen-mixed.ndjson");
    Files.createDirectories(out.getParent());
    Process p =
        new ProcessBuilder(
                "python3",
                SCRIPT.toString(),
                "--seconds",
                "10",
                "--rate",
                "1000",
                "--scenario",
                "mixed")
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "generator finished");
    assertEquals(0, p.exitValue());

    List<String> lines = Files.readAllLines(out).subList(0, 10_000);
    byte[] doc =
        (String.join("\n", lines) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<CaptureRecord> records = CaptureCodec.decodeAll(doc);

    assertEquals(10_000, records.size());
    for (int i = 1; i < records.size(); i++) {
      assertTrue(records.get(i - 1).ts() <= records.get(i).ts(), "ts order at " + i);
    }
    assertTrue(records.stream().anyMatch(r -> r.srcIp().equals("203.0.113.66")), "ip-flood");
    assertTrue(records.stream().anyMatch(r -> r.traceId() != null));
    assertTrue(records.stream().anyMatch(r -> r.hasTtft() && r.model() != null));
    // every generated line survives encode -> decode unchanged
    for (int i = 0; i < 200; i++) {
      CaptureRecord r = records.get(i);
      assertEquals(r, CaptureCodec.decodeLine(lines.get(i), i + 1));
      assertEquals(r, CaptureCodec.decodeLine(CaptureCodec.encode(r), i + 1));
    }
  }

  static boolean python3Works() {
    try {
      Process p =
          new ProcessBuilder("python3", "--version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
