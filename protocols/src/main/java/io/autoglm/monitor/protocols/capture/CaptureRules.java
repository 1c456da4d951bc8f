package io.autoglm.monitor.protocols.capture;

import io.autoglm.monitor.protocols.TextChecks;

/**
 * The validation rules of capture schema v1, in one place: the record constructor enforces them and
 * the codec uses the same wording for JSON type errors.
 */
final class CaptureRules {

  private CaptureRules() {}

  static final long TS_MIN = 946_684_800_000L; // 2000-01-01T00:00:00Z
  static final long TS_MAX = 4_102_444_800_000L; // 2100-01-01T00:00:00Z, exclusive
  static final int ENDPOINT_MAX = 512;
  static final int METHOD_MAX = 16;
  static final int MODEL_MAX = 128;
  static final int SERVICE_MAX = 64;
  static final int ID_MAX = 256;

  /** Per-request maxima: far above any real request, low enough that sums cannot overflow. */
  static final double LATENCY_MAX_MS = 86_400_000; // 1 day

  static final long TOKENS_MAX = 10_000_000;
  static final long BYTES_MAX = 1_000_000_000_000L; // 1 TB

  static final String TS =
      "must be an integer epoch-millisecond timestamp in [946684800000, 4102444800000)"
          + " (2000-01-01 to 2100-01-01)";
  static final String ENDPOINT =
      "must be a string starting with '/', 1 to 512 characters, without whitespace, control"
          + " or invisible formatting characters (Unicode Cf such as U+202E, U+200B, U+FEFF)";
  static final String METHOD = "must be a string of 1 to 16 uppercase letters (an HTTP method)";
  static final String STATUS = "must be an integer between 100 and 599";
  static final String DURATION = "must be a number of milliseconds from 0 to 86400000 (1 day)";
  static final String SRC_IP = "must be a string holding an IPv4 or IPv6 address";
  static final String TOKENS = "must be an integer from 0 to 10000000 (10 M tokens)";
  static final String BYTES = "must be an integer from 0 to 1000000000000 (1 TB)";
  static final String MODEL = "must be a string of at most 128 characters";
  static final String SERVICE = "must be a string of 1 to 64 characters from [A-Za-z0-9._-]";
  static final String ID = "must be a string of at most 256 characters";
  static final String REQUIRED = "is required";
  static final String UNICODE = "must be valid Unicode text (no unpaired surrogates)";

  static CaptureFieldException invalid(String field, String rule, String got) {
    return new CaptureFieldException(field, rule + ", got " + got);
  }

  static CaptureFieldException required(String field) {
    return new CaptureFieldException(field, REQUIRED);
  }

  /** A string value for an error message: quoted, escaped, and shortened when long. */
  static String quote(String s) {
    int limit = Math.min(s.length(), 48);
    StringBuilder sb = new StringBuilder(limit + 24).append('"');
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
    if (s.length() > limit) {
      sb.insert(sb.length() - 1, "...").append(" (").append(s.length()).append(" characters)");
    }
    return sb.toString();
  }

  /**
   * Endpoints found valid, by identity: a decoder hands out one instance per repeated value ({@link
   * StringCache}), so most records' endpoints are checked once. Shared by all threads without a
   * lock: a slot holds a reference to an immutable string, so a thread sees either an instance that
   * was checked or misses and checks again.
   */
  private static final String[] VALID_ENDPOINTS = new String[256];

  static boolean isValidEndpoint(String s) {
    int slot = s.hashCode() & (VALID_ENDPOINTS.length - 1);
    if (VALID_ENDPOINTS[slot] == s) {
      return true;
    }
    boolean valid = checkEndpoint(s);
    if (valid) {
      VALID_ENDPOINTS[slot] = s;
    }
    return valid;
  }

  private static boolean checkEndpoint(String s) {
    int n = s.length();
    if (n == 0 || n > ENDPOINT_MAX || s.charAt(0) != '/') {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c == 0x7f) {
        return false;
      }
      if (c >= 0x80
          && (Character.isISOControl(c)
              || Character.isWhitespace(c)
              || Character.isSpaceChar(c)
              || TextChecks.isInvisible(s.codePointAt(i)))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The index of the first UTF-16 surrogate without its partner, or -1. JSON's {@code \\ud800}
   * escape can produce one; Jackson's CBOR writer refuses to serialize it, so such text must not
   * get into a record.
   */
  static int unpairedSurrogate(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /** Rejects text with an unpaired surrogate, naming its position. */
  static void checkUnicode(String field, String s) {
    int at = s == null ? -1 : unpairedSurrogate(s);
    if (at >= 0) {
      throw invalid(field, UNICODE, "an unpaired surrogate at index " + at);
    }
  }

  static boolean isValidMethod(String s) {
    int n = s.length();
    if (n == 0 || n > METHOD_MAX) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 'A' || c > 'Z') {
        return false;
      }
    }
    return true;
  }

  static boolean isValidService(String s) {
    return isToken(s, SERVICE_MAX, "._-");
  }

  /** 1..maxLength ASCII letters, digits and the given punctuation characters. */
  static boolean isToken(String s, int maxLength, String punctuation) {
    int n = s == null ? 0 : s.length();
    if (n == 0 || n > maxLength) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || punctuation.indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static boolean isValidDuration(double v) {
    return v >= 0 && v <= LATENCY_MAX_MS; // NaN fails the first test
  }

  /** The rule text of a count field, by its wire name. */
  static String countRule(String field) {
    return field.startsWith("bytes") ? BYTES : TOKENS;
  }

  static long countMax(String field) {
    return field.startsWith("bytes") ? BYTES_MAX : TOKENS_MAX;
  }

  /** Optional strings: null and "" both mean absent. */
  static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
