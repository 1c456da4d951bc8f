package io.autoglm.monitor.sharding;

/**
 * The clocks a node reads, injected everywhere so that tests drive them instead of the machine: the
 * wall clock (epoch milliseconds: how far event time may run ahead, closing windows when traffic
 * stops) and a monotonic clock (nanoseconds, only for intervals such as write slots).
 */
public interface NodeClock {

  /** Milliseconds since the epoch, as {@link System#currentTimeMillis()}. */
  long wallMillis();

  /** A monotonic time in nanoseconds, as {@link System#nanoTime()}: only differences count. */
  long monotonicNanos();

  /** The machine's clocks. */
  NodeClock SYSTEM =
      new NodeClock() {
        @Override
        public long wallMillis() {
          return System.currentTimeMillis();
        }

        @Override
        public long monotonicNanos() {
          return System.nanoTime();
        }

        @Override
        public String toString() {
          return "NodeClock.SYSTEM";
        }
      };
}
