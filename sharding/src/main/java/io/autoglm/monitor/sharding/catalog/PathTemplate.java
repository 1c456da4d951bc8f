package io.autoglm.monitor.sharding.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An endpoint path template from the configuration, such as {@code /v1/models/{id}} or {@code
 * /v1/files/*}: every path it matches is counted under the template itself, so one model or file id
 * per request does not make one endpoint per id.
 *
 * <p>Segments are separated by '/'. A literal segment matches itself; {@code {name}} matches any
 * one non-empty segment; {@code *}, allowed only as the last segment, matches one or more segments.
 * Matching walks the path once (linear in its length), whatever it holds.
 */
public final class PathTemplate {
  private static final Pattern VARIABLE = Pattern.compile("\\{[A-Za-z0-9_]{1,64}}");
  private static final Pattern LITERAL = Pattern.compile("[^/{}*?#\\s]{1,256}");

  private final String template;
  // per segment: the literal to match, or null for a variable
  private final String[] segments;
  private final boolean restWildcard;

  private PathTemplate(String template, String[] segments, boolean restWildcard) {
    this.template = template;
    this.segments = segments;
    this.restWildcard = restWildcard;
  }

  /** Parses a template; throws {@link IllegalArgumentException} saying what is wrong with it. */
  public static PathTemplate parse(String template) {
    if (template == null || !template.startsWith("/") || template.length() > 512) {
      throw new IllegalArgumentException(
          "a path template must start with '/' and be at most 512 characters: '" + template + "'");
    }
    String[] parts = template.substring(1).split("/", -1);
    List<String> segments = new ArrayList<>(parts.length);
    boolean rest = false;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.equals("*")) {
        if (i != parts.length - 1) {
          throw new IllegalArgumentException(
              "'*' may only be the last segment of a path template: '" + template + "'");
        }
        rest = true;
      } else if (VARIABLE.matcher(p).matches()) {
        segments.add(null);
      } else if (LITERAL.matcher(p).matches()) {
        segments.add(p);
      } else {
        throw new IllegalArgumentException(
            "path template segment '"
                + p
                + "' is neither a literal, a {name} nor a final '*': '"
                + template
                + "'");
      }
    }
    return new PathTemplate(template, segments.toArray(String[]::new), rest);
  }

  public String template() {
    return template;
  }

  /** Whether {@code path} (starting with '/', without query string) matches this template. */
  public boolean matches(String path) {
    int pos = 1; // after the leading '/'
    int n = path.length();
    for (String literal : segments) {
      if (pos > n) {
        return false;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = n;
      }
      if (end == pos) {
        return false; // an empty segment matches nothing
      }
      if (literal != null
          && (literal.length() != end - pos || !path.regionMatches(pos, literal, 0, end - pos))) {
        return false;
      }
      pos = end + 1;
    }
    if (restWildcard) {
      return pos < n; // at least one more character: one or more segments
    }
    return pos == n + 1; // the last segment ended the path
  }

  @Override
  public String toString() {
    return template;
  }
}
