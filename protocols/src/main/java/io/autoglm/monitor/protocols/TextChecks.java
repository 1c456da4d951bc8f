package io.autoglm.monitor.protocols;

/**
 * Text that a person reads in a console, a chat alert or a log must show what it is. Control
 * characters can rewrite a terminal line; Unicode format characters (category Cf: bidi controls
 * such as U+202E, zero-width characters such as U+200B, the BOM U+FEFF, tag characters) are
 * invisible or reorder what follows, so {@code /v1/chat\u202Esnoitelpmoc} renders like another
 * endpoint's name. Names and labels that carry either are refused.
 */
public final class TextChecks {
  private TextChecks() {}

  /**
   * The index of the first control character (C0, DEL, C1), format character (Cf, also outside the
   * BMP) or unpaired UTF-16 surrogate (which JSON's {@code \ud800} escape can produce and the CBOR
   * serializer refuses to write), or -1 when there is none.
   *
   * @param allowLineBreaks whether {@code \n}, {@code \r} and {@code \t} are allowed (free text)
   */
  public static int indexOfInvisible(String s, boolean allowLineBreaks) {
    int n = s.length();
    for (int i = 0; i < n; ) {
      int c = s.codePointAt(i);
      boolean unpaired = Character.getType(c) == Character.SURROGATE; // a pair is one code point
      if (unpaired
          || isInvisible(c) && !(allowLineBreaks && (c == '\n' || c == '\r' || c == '\t'))) {
        return i;
      }
      i += Character.charCount(c);
    }
    return -1;
  }

  /** A control (Cc) or format (Cf) code point. */
  public static boolean isInvisible(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.CONTROL || type == Character.FORMAT;
  }
}
