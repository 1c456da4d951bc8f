package io.autoglm.monitor.tools.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * A class histogram of this JVM's live objects (the {@code GC.class_histogram} diagnostic command,
 * as {@code jcmd} runs it; it runs a full GC first), and what grew between two of them: where a
 * benchmark's heap per entity goes.
 */
final class HeapHistogram {
  private HeapHistogram() {}

  /** Class name → {instances, bytes} of the live objects now. */
  static Map<String, long[]> live() throws Exception {
    String text =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    Map<String, long[]> byClass = new HashMap<>();
    for (String line : text.split("\n")) {
      // "   1:        123456       7890123  java.lang.String (java.base@17)"
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":")) {
        try {
          byClass.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        } catch (NumberFormatException e) {
          // the header or total line
        }
      }
    }
    return byClass;
  }

  /** Prints the {@code top} classes by bytes grown, per {@code per} (e.g. per tracked IP). */
  static void printGrowth(
      PrintStream out, Map<String, long[]> before, Map<String, long[]> after, long per, int top) {
    record Growth(String cls, long instances, long bytes) {}
    List<Growth> grown = new ArrayList<>();
    after.forEach(
        (cls, a) -> {
          long[] b = before.getOrDefault(cls, new long[2]);
          if (a[1] > b[1]) {
            grown.add(new Growth(cls, a[0] - b[0], a[1] - b[1]));
          }
        });
    grown.sort((x, y) -> Long.compare(y.bytes, x.bytes));
    long total = grown.stream().mapToLong(Growth::bytes).sum();
    out.printf("heap growth by class, per %,d: %,d bytes in all%n", per, total / per);
    for (Growth g : grown.subList(0, Math.min(top, grown.size()))) {
      out.printf(
          "  %8.2f objects %8.1f bytes  %s%n",
          (double) g.instances / per, (double) g.bytes / per, g.cls);
    }
  }
}
