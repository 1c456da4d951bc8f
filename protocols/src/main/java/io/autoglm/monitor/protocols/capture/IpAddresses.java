package io.autoglm.monitor.protocols.capture;

/**
 * Strict, non-resolving parser for IP address literals, used to validate {@code src_ip}.
 *
 * <p>It never touches DNS (unlike {@code InetAddress.getByName}, which resolves anything that is
 * not a literal). Accepted forms:
 *
 * <ul>
 *   <li>IPv4 dotted quad {@code a.b.c.d}, each part 0..255 written without leading zeros (so {@code
 *       010.1.1.1}, which some parsers read as octal, is rejected);
 *   <li>IPv6 text forms of RFC 4291 section 2.2: up to eight 1..4-digit hex groups, one {@code ::},
 *       an optional trailing dotted-quad IPv4 part. Zone ids ({@code %eth0}) and brackets are
 *       rejected.
 * </ul>
 *
 * <p>{@link #canonical(String)} returns IPv6 addresses in the RFC 5952 form (lowercase, no leading
 * zeros, the longest run of two or more zero groups as {@code ::}, IPv4-mapped addresses as {@code
 * ::ffff:a.b.c.d}) so that one address is always one statistics key.
 */
public final class IpAddresses {

  private IpAddresses() {}

  /** True when {@code text} is an IPv4 or IPv6 literal as described in the class comment. */
  public static boolean isValid(String text) {
    return canonical(text) != null;
  }

  /**
   * The canonical text of an IP literal, or {@code null} when {@code text} is not one. An IPv4
   * literal is returned as the same instance (it is already canonical).
   */
  public static String canonical(String text) {
    if (text == null) {
      return null;
    }
    int n = text.length();
    if (n == 0 || n > 45) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      return n <= 15 && parseV4(text, 0, n) >= 0 ? text : null;
    }
    return canonicalV6(text);
  }

  /** Parses {@code a.b.c.d} in {@code s[from, to)}; returns the 32-bit value or -1. */
  private static long parseV4(String s, int from, int to) {
    long value = 0;
    int parts = 0;
    int i = from;
    while (parts < 4) {
      int start = i;
      int part = 0;
      while (i < to && i - start < 3) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        part = part * 10 + (c - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || part > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return -1;
      }
      value = (value << 8) | part;
      parts++;
      if (parts < 4) {
        if (i >= to || s.charAt(i) != '.') {
          return -1;
        }
        i++;
      }
    }
    return i == to ? value : -1;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String canonicalV6(String s) {
    int n = s.length();
    int[] groups = new int[8];
    int count = 0;
    int gap = -1; // index in groups where "::" stands
    int i = 0;
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
    } else if (s.charAt(0) == ':') {
      return null;
    }
    while (i < n) {
      if (count == 8) {
        return null;
      }
      int start = i;
      int value = 0;
      while (i < n && i - start <= 4) {
        int h = hex(s.charAt(i));
        if (h < 0) {
          break;
        }
        value = (value << 4) | h;
        i++;
      }
      if (i < n && s.charAt(i) == '.') {
        // trailing dotted-quad IPv4 part, worth two groups
        if (count > 6) {
          return null;
        }
        long v4 = parseV4(s, start, n);
        if (v4 < 0) {
          return null;
        }
        groups[count++] = (int) (v4 >>> 16);
        groups[count++] = (int) (v4 & 0xffff);
        i = n;
        break;
      }
      int digits = i - start;
      if (digits == 0 || digits > 4) {
        return null;
      }
      groups[count++] = value;
      if (i == n) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < n && s.charAt(i) == ':') {
        if (gap >= 0) {
          return null;
        }
        gap = count;
        i++;
      } else if (i == n) {
        return null; // a single trailing colon
      }
    }
    if (gap >= 0) {
      if (count > 7) {
        return null;
      }
      int tail = count - gap;
      System.arraycopy(groups, gap, groups, 8 - tail, tail);
      java.util.Arrays.fill(groups, gap, 8 - tail, 0);
    } else if (count != 8) {
      return null;
    }
    String formatted = format(groups);
    return formatted.equals(s) ? s : formatted;
  }

  private static String format(int[] g) {
    StringBuilder sb = new StringBuilder(39);
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
      return sb.append("::ffff:")
          .append(g[6] >>> 8)
          .append('.')
          .append(g[6] & 0xff)
          .append('.')
          .append(g[7] >>> 8)
          .append('.')
          .append(g[7] & 0xff)
          .toString();
    }
    int bestStart = -1;
    int bestLen = 1; // RFC 5952 4.2.2: "::" never stands for a single zero group
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
