package io.autoglm.monitor.protocols.capture;

/**
 * The text values a decoder reads again and again (endpoints, methods, models, services, keys): one
 * {@code String} per distinct short value in a small direct-mapped table, so repeated values cost
 * no new string, and the one instance keeps its hash code for every map lookup after it. A value
 * that is not in its slot replaces what is there; the table never grows, whatever a client sends.
 * Not thread safe: one per thread ({@link #forThisThread}).
 */
final class StringCache {
  private static final int SLOTS = 1024;

  /** Longer values are not cached: rare, and costly to compare. */
  private static final int MAX_LENGTH = 96;

  private static final ThreadLocal<StringCache> PER_THREAD =
      ThreadLocal.withInitial(StringCache::new);

  private final String[] slots = new String[SLOTS];

  static StringCache forThisThread() {
    return PER_THREAD.get();
  }

  /** The string of {@code buf[off, off + len)}: the cached instance if it holds the same text. */
  String get(char[] buf, int off, int len) {
    if (len > MAX_LENGTH) {
      return new String(buf, off, len);
    }
    int h = 0;
    for (int i = off; i < off + len; i++) {
      h = 31 * h + buf[i];
    }
    int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
    String s = slots[slot];
    if (s != null && s.length() == len && sameText(s, buf, off, len)) {
      return s;
    }
    s = new String(buf, off, len);
    slots[slot] = s;
    return s;
  }

  private static boolean sameText(String s, char[] buf, int off, int len) {
    for (int i = 0; i < len; i++) {
      if (s.charAt(i) != buf[off + i]) {
        return false;
      }
    }
    return true;
  }
}
