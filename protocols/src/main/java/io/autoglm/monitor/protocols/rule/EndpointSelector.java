package io.autoglm.monitor.protocols.rule;

import java.util.regex.Pattern;

/**
 * Matches endpoints by service and path. Each side is either exact or a glob where
 * {@code *} matches any run of characters (including '/') and {@code ?} one character.
 */
public final class EndpointSelector {
  private EndpointSelector() {}

  public static boolean matches(String glob, String value) {
    if (glob.indexOf('*') < 0 && glob.indexOf('?') < 0) {
      return glob.equals(value);
    }
    return toRegex(glob).matcher(value).matches();
  }

  private static Pattern toRegex(String glob) {
    StringBuilder sb = new StringBuilder(glob.length() + 8);
    StringBuilder literal = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          sb.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        sb.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      sb.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(sb.toString());
  }
}
