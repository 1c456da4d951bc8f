package io.autoglm.monitor.notifier.route;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Map;

/**
 * One label matcher as Alertmanager writes it: {@code name=value}, {@code name!=value}, {@code
 * name=~regex}, {@code name!~regex}. A label the alert does not have reads as empty. Regexes are
 * anchored at both ends, as Alertmanager's, and run by RE2 (linear time in the value: a hostile
 * pattern cannot stall the notifier).
 */
public record Matcher(String name, Op op, String value, Pattern regex) {

  public enum Op {
    EQ("="),
    NOT_EQ("!="),
    RE("=~"),
    NOT_RE("!~");

    final String text;

    Op(String text) {
      this.text = text;
    }
  }

  static final int MAX_VALUE = 256;

  private static final java.util.regex.Pattern LABEL =
      java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,63}");

  /** {@code text} as a matcher; {@link IllegalArgumentException} saying what is wrong. */
  public static Matcher parse(String text) {
    int i = 0;
    while (i < text.length() && "=!~".indexOf(text.charAt(i)) < 0) {
      i++;
    }
    String name = text.substring(0, i).trim();
    String rest = text.substring(i);
    Op op = null;
    for (Op o : new Op[] {Op.RE, Op.NOT_RE, Op.NOT_EQ, Op.EQ}) {
      if (rest.startsWith(o.text)) {
        op = o;
        break;
      }
    }
    if (op == null) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a matcher: name=value, name!=value, name=~regex or name!~regex");
    }
    if (!LABEL.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a label name");
    }
    String value = unquote(rest.substring(op.text.length()).trim());
    if (value.length() > MAX_VALUE) {
      throw new IllegalArgumentException("the value is over " + MAX_VALUE + " characters");
    }
    Pattern regex = null;
    if (op == Op.RE || op == Op.NOT_RE) {
      try {
        regex = Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("'" + value + "' is not a regex: " + e.getMessage());
      }
    }
    return new Matcher(name, op, value, regex);
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1)
        : v;
  }

  public boolean matches(Map<String, String> labels) {
    String actual = labels.getOrDefault(name, "");
    return switch (op) {
      case EQ -> actual.equals(value);
      case NOT_EQ -> !actual.equals(value);
      case RE -> regex.matches(actual);
      case NOT_RE -> !regex.matches(actual);
    };
  }

  @Override
  public String toString() {
    return name + op.text + value;
  }
}
