package io.autoglm.monitor.tools.backtest;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long replay on stderr: a bar redrawn in place with records/s on a terminal, a plain
 * line every 10 % otherwise (logs, CI).
 */
final class ProgressBar {
  private static final int WIDTH = 30;

  private ProgressBar() {}

  static Backtest.Progress on(PrintStream err, boolean terminal) {
    long started = System.nanoTime();
    int[] lastTenth = {0};
    long[] lastDraw = {0};
    return (records, bytes, total) -> {
      double done = total > 0 ? Math.min(1, (double) bytes / total) : 1;
      double seconds = (System.nanoTime() - started) / 1e9;
      double rate = seconds > 0 ? records / seconds : 0;
      if (terminal) {
        long now = System.nanoTime();
        if (now - lastDraw[0] < 100_000_000L && done < 1) {
          return;
        }
        lastDraw[0] = now;
        int filled = (int) (done * WIDTH);
        err.printf(
            Locale.ROOT,
            "\r[%s%s] %3.0f%%  %,d records  %,.0f records/s",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            done * 100,
            records,
            rate);
        err.flush();
      } else {
        int tenth = (int) (done * 10);
        if (tenth > lastTenth[0]) {
          lastTenth[0] = tenth;
          err.printf(
              Locale.ROOT,
              "backtest: %3d%%, %,d records, %,.0f records/s%n",
              tenth * 10,
              records,
              rate);
        }
      }
    };
  }

  /** Ends the bar's line on a terminal. */
  static void done(PrintStream err, boolean terminal) {
    if (terminal) {
      err.println();
    }
  }
}
