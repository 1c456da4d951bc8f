package io.autoglm.monitor.agent.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long operation on stderr: on a terminal, a bar redrawn in place (at most 10 times a
 * second) with the count and its rate; otherwise (logs, CI, a pipe) a plain line every 10 % of the
 * input, or every 5 s when the input's size is not known (standard input). Progress is measured in
 * bytes read of the input; the count is what the operation does with them (records sent, replayed).
 */
public final class ProgressBar {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final long PLAIN_UNKNOWN_TOTAL_NANOS = 5_000_000_000L;

  private final PrintStream err;
  private final boolean terminal;
  private final String label;
  private final String unit;
  private final LongSupplier nanoTime;
  private final long started;
  private long lastDraw;
  private int lastTenth;
  private boolean drawn;

  /**
   * @param label what the plain lines start with, e.g. {@code backtest}
   * @param unit what is counted, e.g. {@code records}
   */
  public ProgressBar(
      PrintStream err, boolean terminal, String label, String unit, LongSupplier nanoTime) {
    this.err = err;
    this.terminal = terminal;
    this.label = label;
    this.unit = unit;
    this.nanoTime = nanoTime;
    this.started = nanoTime.getAsLong();
    this.lastDraw = started;
  }

  /** A bar on {@code err} if this process writes to a terminal, plain lines otherwise. */
  public static ProgressBar on(PrintStream err, String label, String unit) {
    return new ProgressBar(err, isTerminal(), label, unit, System::nanoTime);
  }

  /** Whether this process runs on a terminal (not with its output piped or redirected). */
  public static boolean isTerminal() {
    return System.console() != null;
  }

  /**
   * Reports where the operation is.
   *
   * @param count what was done so far (records)
   * @param bytes bytes of the input read so far
   * @param totalBytes the input's size, or 0 or less when not known
   */
  public void at(long count, long bytes, long totalBytes) {
    long now = nanoTime.getAsLong();
    double seconds = (now - started) / 1e9;
    double rate = seconds > 0 ? count / seconds : 0;
    boolean known = totalBytes > 0;
    double done = known ? Math.min(1, (double) bytes / totalBytes) : 0;
    if (terminal) {
      if (now - lastDraw < REDRAW_NANOS && !(known && done >= 1)) {
        return;
      }
      lastDraw = now;
      drawn = true;
      if (known) {
        int filled = (int) (done * WIDTH);
        err.printf(
            Locale.ROOT,
            "\r[%s%s] %3.0f%%  %,d %s  %,.0f %s/s",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            done * 100,
            count,
            unit,
            rate,
            unit);
      } else {
        err.printf(
            Locale.ROOT,
            "\r%s: %,d %s, %,.1f MB read, %,.0f %s/s",
            label,
            count,
            unit,
            bytes / 1e6,
            rate,
            unit);
      }
      err.flush();
    } else if (known) {
      int tenth = (int) (done * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        err.printf(
            Locale.ROOT,
            "%s: %3d%%, %,d %s, %,.0f %s/s%n",
            label,
            tenth * 10,
            count,
            unit,
            rate,
            unit);
      }
    } else if (now - lastDraw >= PLAIN_UNKNOWN_TOTAL_NANOS) {
      lastDraw = now;
      err.printf(
          Locale.ROOT,
          "%s: %,d %s, %,.1f MB read, %,.0f %s/s%n",
          label,
          count,
          unit,
          bytes / 1e6,
          rate,
          unit);
    }
  }

  /** Ends the bar's line on a terminal, so that what follows starts on a line of its own. */
  public void done() {
    if (terminal && drawn) {
      err.println();
    }
  }
}
