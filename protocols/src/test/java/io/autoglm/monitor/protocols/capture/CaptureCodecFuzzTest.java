package io.autoglm.monitor.protocols.capture;

import static io.autoglm.monitor.protocols.capture.CaptureRecord.ABSENT;
import static io.autoglm.monitor.protocols.capture.CaptureRules.*;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.BatchFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Fuzz test of {@link CaptureCodec} (issue "Hostile input"). A plain {@code mvn test} runs it on
 * the empty input and the seeds in {@code CaptureCodecFuzzTestInputs/fuzz}; {@code mvn verify} also
 * fuzzes it for a few seconds (see protocols/pom.xml). The input's last byte picks the property (an
 * ASCII digit names it: '0' is {@link #ROUND_TRIP}); the rest of the input feeds it:
 *
 * <ol start="0">
 *   <li>a valid record built from the input survives encode/decode unchanged, as a String, as
 *       bytes, inside a larger buffer and through the stream encoder; its src_ip is canonical;
 *   <li>a document of valid records with blank, whitespace-only and CRLF lines decodes to the same
 *       list, also inside a plain or gzip {@link BatchFrame};
 *   <li>the input itself as an NDJSON document, or
 *   <li>as a chunk of a larger buffer, or
 *   <li>encoded valid records, maybe in UTF-16/32, after a few edits: the decoders throw nothing
 *       but {@link CaptureFormatException} ({@code decodeLenient} nothing at all), count every
 *       non-blank line once, agree with decoding line by line and only accept valid records;
 *   <li>a valid record with one field set to a hostile value (a wrong type, a number out of range,
 *       null, a hidden character, deep nesting): rejected naming that field, or kept exactly where
 *       the schema allows it.
 * </ol>
 *
 * A hang fails: the timeout is per input, enforced by JUnit in a plain run and by libFuzzer while
 * fuzzing (where the pom turns JUnit's timeouts off, as they would bound the whole run).
 */
class CaptureCodecFuzzTest {
  static final int ROUND_TRIP = 0, DOCUMENT = 1, BYTES = 2, CHUNK = 3, MUTATED = 4, FIELD = 5;

  @FuzzTest
  @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void fuzz(FuzzedDataProvider data) throws IOException {
    switch (Math.floorMod(data.consumeByte() - '0', 6)) {
      case ROUND_TRIP -> roundTrip(data);
      case DOCUMENT -> document(data);
      case BYTES -> {
        byte[] doc = data.consumeRemainingAsBytes();
        checkDocument(doc, 0, doc.length, 1);
      }
      case CHUNK -> {
        int before = data.consumeInt(0, 20);
        int after = data.consumeInt(0, 20);
        long firstLine = data.consumeLong(1, 1_000_000);
        byte[] doc = data.consumeRemainingAsBytes();
        byte[] buf = new byte[before + doc.length + after];
        Arrays.fill(buf, (byte) '{');
        System.arraycopy(doc, 0, buf, before, doc.length);
        checkDocument(buf, before, before + doc.length, firstLine);
      }
      case MUTATED -> mutated(data);
      default -> field(data);
    }
  }

  // ===================================================================== valid records

  /**
   * Code points that JSON, terminals or Unicode make awkward (no surrogates: records refuse them).
   */
  static final int[] AWKWARD = {
    '"', '\\', '/', '\n', '\r', '\t', 0, 8, 0x0c, 0x1b, 0x1f, 0x7f, 0x85, 0xa0, 0xad, 0x200b,
    0x200d, 0x2028, 0x2029, 0x202d, 0x202e, 0x2066, 0x2069, 0x3000, 0xfeff, 0xfffd, 0xffff, 'é',
    0x6a21, 0x1f600, 0x1d11e, 0x10000, 0x10ffff, 0xe0041
  };

  static final String[] SNIPPETS = {
    "\\u0041",
    "\\\"",
    "\"}",
    "{\"ts\":1}",
    "\r\n",
    "null",
    "</script>",
    "模型",
    "\uD83D\uDE00",
    "%00",
    "\\\\n"
  };
  static final String[] IPS = {
    "::",
    "::1",
    "1::",
    "::ffff:192.0.2.1",
    "0:0:0:0:0:ffff:c000:0201",
    "2001:DB8::7",
    "fe80::1",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "0.0.0.0",
    "255.255.255.255",
    "1:0:0:1::",
    "::0:0:1",
    "64:ff9b::192.0.2.33"
  };

  /** A valid record: every optional field absent or present, IPv4 and IPv6, any Unicode text. */
  static CaptureRecord record(FuzzedDataProvider data) {
    return new CaptureRecord(
        data.consumeLong(TS_MIN, TS_MAX - 1),
        "/" + text(data, ENDPOINT_MAX - 1, CaptureCodecFuzzTest::endpointCodePoint),
        switch (data.consumeInt(0, 2)) { // the method ("" and null are POST)
          case 0 ->
              data.pickValue(new String[] {"GET", "POST", "PUT", "DELETE", "PATCH", "", null});
          default -> chars(data, data.consumeInt(1, 16), "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        },
        data.consumeInt(100, 599),
        duration(data),
        ip(data),
        count(data, BYTES_MAX),
        count(data, BYTES_MAX),
        optionalText(data, MODEL_MAX),
        count(data, TOKENS_MAX),
        count(data, TOKENS_MAX),
        data.consumeBoolean() ? Double.NaN : duration(data),
        chars(
            data,
            data.consumeInt(0, SERVICE_MAX),
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"),
        optionalText(data, ID_MAX),
        optionalText(data, 64),
        optionalText(data, ID_MAX),
        optionalText(data, 64));
  }

  static int codePoint(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 3)) {
      case 0 -> data.consumeInt(0x20, 0x7e);
      case 1 -> data.pickValue(AWKWARD);
      case 2 -> { // any BMP character but a surrogate
        int c = data.consumeInt(0x80, 0xffff - 0x800);
        yield c < 0xd800 ? c : c + 0x800;
      }
      default -> data.consumeInt(0x10000, 0x10ffff);
    };
  }

  /**
   * Up to {@code max} chars (often just a few, so that one field leaves input for the next) of code
   * points and snippets; what {@code allowed} refuses becomes 'x'.
   */
  static String text(FuzzedDataProvider data, int max, IntPredicate allowed) {
    StringBuilder sb = new StringBuilder();
    for (int n = data.consumeInt(0, data.consumeBoolean() ? 8 : max);
        sb.length() < n && data.remainingBytes() > 0; ) {
      String piece =
          data.consumeInt(0, 15) == 0
              ? data.pickValue(SNIPPETS)
              : Character.toString(codePoint(data));
      piece = piece.codePoints().allMatch(allowed) ? piece : "x";
      if (sb.length() + piece.length() > max) {
        break;
      }
      sb.append(piece);
    }
    return sb.toString();
  }

  static String optionalText(FuzzedDataProvider data, int max) {
    return data.consumeBoolean() ? null : text(data, max, c -> true);
  }

  static String chars(FuzzedDataProvider data, int n, String alphabet) {
    return IntStream.range(0, n)
        .mapToObj(i -> String.valueOf(alphabet.charAt(data.consumeInt(0, alphabet.length() - 1))))
        .collect(Collectors.joining());
  }

  /** Whether the endpoint rule allows this code point after the leading '/'. */
  static boolean endpointCodePoint(int c) {
    int type = Character.getType(c);
    return c > 0x20
        && c != 0x7f
        && type != Character.CONTROL
        && type != Character.FORMAT
        && type != Character.SURROGATE
        && !Character.isWhitespace(c)
        && !Character.isSpaceChar(c);
  }

  /**
   * Finite durations in [0, 1 day]: decimals, integers, any double (every exponent), edge cases.
   */
  static double duration(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 3)) {
      case 0 -> data.consumeInt(0, 10_000_000) / 1000.0;
      case 1 -> data.consumeInt(0, (int) LATENCY_MAX_MS);
      case 2 ->
          Double.longBitsToDouble(data.consumeLong(0, Double.doubleToLongBits(LATENCY_MAX_MS)));
      default ->
          data.pickValue(
              new double[] {
                -0.0,
                Double.MIN_VALUE,
                Double.MIN_NORMAL,
                1e-300,
                0.1 + 0.2,
                1.0 / 3,
                Math.nextDown(LATENCY_MAX_MS),
                LATENCY_MAX_MS
              });
    };
  }

  static long count(FuzzedDataProvider data, long max) {
    return switch (data.consumeInt(0, 2)) {
      case 0 -> ABSENT;
      case 1 -> data.consumeLong(0, max);
      default -> data.pickValue(new long[] {0, 1, max});
    };
  }

  /** An IP literal in one of the text forms of RFC 4291 2.2 (not necessarily canonical). */
  static String ip(FuzzedDataProvider data) {
    int style = data.consumeInt(0, 5);
    if (style == 0) {
      return IntStream.range(0, 4)
          .mapToObj(i -> "" + data.consumeInt(0, 255))
          .collect(Collectors.joining("."));
    } else if (style == 1) {
      return data.pickValue(IPS);
    }
    int[] g =
        IntStream.range(0, 8)
            .map(i -> data.consumeBoolean() ? 0 : data.consumeInt(0, 0xffff))
            .toArray();
    int from =
        data.consumeInt(0, 7); // some run of zero groups (not necessarily the longest) as "::"
    while (from < 8 && g[from] != 0) {
      from++;
    }
    int to = from;
    while (to < 8 && g[to] == 0) {
      to++;
    }
    return switch (style) {
      case 2 -> groups(g, 0, 8, "%04X");
      case 3 ->
          groups(g, 0, 6, "%x")
              + ":"
              + (g[6] >>> 8)
              + "."
              + (g[6] & 0xff)
              + "."
              + (g[7] >>> 8)
              + "."
              + (g[7] & 0xff);
      case 4 ->
          from < 8
              ? groups(g, 0, from, "%x") + "::" + groups(g, to, 8, "%x")
              : groups(g, 0, 8, "%x");
      default -> groups(g, 0, 8, "%x");
    };
  }

  static String groups(int[] g, int from, int to, String format) {
    return IntStream.range(from, to)
        .mapToObj(i -> String.format(format, g[i]))
        .collect(Collectors.joining(":"));
  }

  static List<CaptureRecord> records(FuzzedDataProvider data, int min, int max) {
    List<CaptureRecord> rs = new ArrayList<>();
    for (int n = data.consumeInt(min, max);
        rs.size() < n && (rs.size() < min || data.remainingBytes() > 0); ) {
      rs.add(record(data));
    }
    return rs;
  }

  // ======================================================================= round trips

  static void roundTrip(FuzzedDataProvider data) throws IOException {
    String ip = ip(data);
    int pad = data.consumeInt(0, 40);
    CaptureRecord r = record(data).withSrcIp(ip);
    String line = CaptureCodec.encode(r);
    assertFalse(line.contains("\n") || line.contains("\r"), "one line: " + line);
    assertEquals(r, CaptureCodec.decodeLine(line, 1));
    assertEquals(r, CaptureCodec.decodeLine(line + "\r", 1), "a CRLF line's \\r is tolerated");
    byte[] bytes = line.getBytes(UTF_8);
    byte[] framed = new byte[pad + bytes.length + pad];
    Arrays.fill(framed, (byte) '}');
    System.arraycopy(bytes, 0, framed, pad, bytes.length);
    assertEquals(
        r, CaptureCodec.decodeLine(framed, pad, bytes.length, 1), "inside a larger buffer");
    // the stream encoder writes one line that decodes the same (not always the same bytes: its
    // UTF-8 writer escapes characters outside the BMP as surrogate pairs)
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CaptureCodec.encode(r, out);
    assertEquals(List.of(r), CaptureCodec.decodeAll(out.toByteArray()));
    assertTrue(out.toString(UTF_8).endsWith("}\n"));
    // src_ip is stored canonically, as the same address (InetAddress parses literals without
    // lookup)
    assertEquals(InetAddress.getByName(ip), InetAddress.getByName(r.srcIp()), ip);
    assertSame(r.srcIp(), IpAddresses.canonical(r.srcIp()), "the canonical form is a fixpoint");
    assertEquals(r.srcIp().toLowerCase(Locale.ROOT), r.srcIp());
    assertEquals(
        r,
        CaptureCodec.decodeLine(
            line.replace("\"src_ip\":\"" + r.srcIp() + "\"", "\"src_ip\":\"" + ip + "\""), 1),
        "the original spelling decodes to the canonical record");
  }

  static final String[] SEPARATORS = {"\n", "\r\n", "\n\n", "\n  \t\n", "\r\n\r\n \r\n"};

  static void document(FuzzedDataProvider data) {
    List<CaptureRecord> rs = records(data, 0, 12);
    assertEquals(rs, CaptureCodec.decodeAll(CaptureCodec.encodeAll(rs)));
    StringBuilder doc = new StringBuilder();
    for (int i = 0; i < rs.size(); i++) {
      doc.append(CaptureCodec.encode(rs.get(i)));
      if (i < rs.size() - 1 || data.consumeBoolean()) {
        doc.append(data.pickValue(SEPARATORS));
      }
    }
    byte[] bytes = doc.toString().getBytes(UTF_8);
    assertEquals(rs, CaptureCodec.decodeAll(bytes));
    List<CaptureRecord> got = new ArrayList<>();
    assertEquals(new DecodeReport(rs.size(), 0, null), CaptureCodec.decodeLenient(bytes, got::add));
    assertEquals(rs, got);
    long seq = data.consumeLong(0, Long.MAX_VALUE);
    BatchFrame.Decoded d =
        BatchFrame.decode(
            BatchFrame.encode(seq, bytes, 0, bytes.length, data.consumeBoolean()), bytes.length);
    assertEquals(seq, d.seq());
    assertEquals(rs, CaptureCodec.decodeAll(d.ndjson()));
  }

  // ===================================================================== hostile input

  /** Tokens worth inserting: JSON syntax, numbers at and past every limit, bad escapes. */
  static final String[] TOKENS = {
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\\",
    ",",
    ":",
    " ",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "-1",
    "1.5",
    "1e308",
    "-1e400",
    "1e400",
    "NaN",
    "Infinity",
    "0x10",
    "01",
    ".5",
    "1.",
    "+1",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999",
    "1" + "0".repeat(400),
    "1".repeat(1100),
    "0." + "0".repeat(1100) + "1",
    "\"\\ud800\"",
    "\"\\udc00\\ud800\"",
    "\"\\u202e\"",
    "\"\\u0000\"",
    "\"\\uZZZZ\"",
    "\"\\x\"",
    "\"" + "a".repeat(600) + "\"",
    "[".repeat(70),
    "]".repeat(70),
    "{\"a\":".repeat(70),
    "[".repeat(70) + "]".repeat(70),
    "/*c*/",
    "//",
    "'a'",
    "\"ts\"",
    "\"endpoint\":",
    "\"status\":200",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\u2028"
  };

  /** Bytes that are not UTF-8, or the UTF-8 of characters that matter. */
  static final byte[][] RAW_TOKENS = {
    {(byte) 0xC3},
    {(byte) 0xFF},
    {(byte) 0x80},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0xC0, (byte) 0xAF},
    {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
    {(byte) 0xE2, (byte) 0x80, (byte) 0xAE},
    {0},
    {(byte) 0xFE, (byte) 0xFF}
  };

  static final String[] WIDE = {"UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE"};

  static void mutated(FuzzedDataProvider data) {
    // the choices first: each generator may take the rest of the input
    String charset =
        data.consumeInt(0, 3) == 3
            ? data.pickValue(WIDE)
            : "UTF-8"; // Jackson guesses UTF-16/32 from NULs
    int edits = data.consumeInt(0, 6);
    byte[] doc =
        new String(CaptureCodec.encodeAll(records(data, 1, 3)), UTF_8)
            .getBytes(Charset.forName(charset));
    for (int i = 0; i < edits; i++) {
      doc = mutate(doc, data);
    }
    checkDocument(doc, 0, doc.length, 1);
  }

  /**
   * One edit: delete, truncate, duplicate, flip a bit, add a field (known or not), insert a token.
   */
  static byte[] mutate(byte[] doc, FuzzedDataProvider data) {
    int n = doc.length;
    int at = data.consumeInt(0, n);
    int end = Math.min(n, at + data.consumeInt(1, 64));
    int close = at; // the next '}'
    while (close < n && doc[close] != '}') {
      close++;
    }
    return switch (data.consumeInt(0, 5)) {
      case 0 -> splice(doc, at, end);
      case 1 -> splice(doc, at, n);
      case 2 -> splice(doc, end, end, Arrays.copyOfRange(doc, at, end));
      case 3 ->
          at == n ? doc : splice(doc, at, at + 1, new byte[] {(byte) (doc[at] ^ 1 << end % 8)});
      case 4 ->
          close == n
              ? doc
              : splice(
                  doc,
                  close,
                  close,
                  (",\""
                          + (data.consumeBoolean() ? data.pickValue(CaptureCodec.FIELDS) : "x" + at)
                          + "\":")
                      .getBytes(UTF_8),
                  insertion(data));
      default -> splice(doc, at, at, insertion(data));
    };
  }

  static byte[] insertion(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 2)) {
      case 0 -> data.pickValue(TOKENS).getBytes(UTF_8);
      case 1 -> data.pickValue(RAW_TOKENS);
      default -> data.consumeBytes(16);
    };
  }

  /** {@code doc} with {@code [from, to)} replaced by {@code with}. */
  static byte[] splice(byte[] doc, int from, int to, byte[]... with) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(doc.length + 64);
    out.write(doc, 0, from);
    Arrays.stream(with).forEach(out::writeBytes);
    out.write(doc, to, doc.length - to);
    return out.toByteArray();
  }

  /**
   * Decodes {@code doc[from, to)} line by line (the reference) and as a whole with {@code
   * decodeLenient} (and {@code decodeAll} for a whole array), and checks that they agree, that only
   * CaptureFormatException is ever thrown, that every non-blank line is counted once and that every
   * accepted record is valid.
   */
  static void checkDocument(byte[] doc, int from, int to, long firstLine) {
    List<CaptureRecord> expected = new ArrayList<>();
    List<CaptureFormatException> errors = new ArrayList<>();
    long line = firstLine - 1;
    for (int pos = from, nl; pos < to; pos = nl + 1) {
      for (nl = pos; nl < to && doc[nl] != '\n'; nl++) {}
      line++;
      int end = nl > pos && doc[nl - 1] == '\r' ? nl - 1 : nl;
      if (blank(doc, pos, end)) {
        continue;
      }
      CaptureRecord fromBytes = null;
      try {
        fromBytes = CaptureCodec.decodeLine(doc, pos, end - pos, line);
      } catch (CaptureFormatException e) {
        errors.add(e);
        assertEquals(line, e.line());
        assertTrue(
            e.field() == null || Arrays.asList(CaptureCodec.FIELDS).contains(e.field()), e.field());
        assertEquals(
            "line "
                + line
                + ": "
                + (e.field() == null ? "" : "field '" + e.field() + "': ")
                + e.reason(),
            e.getMessage());
      }
      if (fromBytes != null) {
        expected.add(fromBytes);
        assertAcceptedRecordIsValid(fromBytes);
      }
      // the String variant agrees (Jackson skips a UTF-8 BOM, and guesses UTF-16/32 from NUL
      // bytes, only when it reads bytes: such lines are left out)
      String text = strictUtf8(doc, pos, end);
      if (text != null && !text.startsWith("\uFEFF") && text.indexOf('\0') < 0) {
        try {
          assertEquals(
              fromBytes, CaptureCodec.decodeLine(text, line), "String variant of line " + line);
        } catch (CaptureFormatException e) {
          assertNull(fromBytes, "the String variant rejects what the bytes variant accepts: " + e);
          assertEquals(
              errors.get(errors.size() - 1).field(), e.field(), "String variant of line " + line);
        }
      }
    }

    List<CaptureRecord> got = new ArrayList<>();
    boolean whole = from == 0 && to == doc.length && firstLine == 1;
    DecodeReport report =
        whole
            ? CaptureCodec.decodeLenient(doc, got::add)
            : CaptureCodec.decodeLenient(doc, from, to - from, firstLine, got::add);
    assertEquals(
        expected.size() + errors.size(),
        report.accepted() + report.rejected(),
        "every non-blank line counted once");
    assertEquals(expected, got, "decodeLenient keeps exactly the lines decodeLine accepts");
    assertEquals(errors.size(), report.rejected());
    if (errors.isEmpty()) {
      assertNull(report.firstError());
      if (whole) {
        assertEquals(expected, CaptureCodec.decodeAll(doc));
      }
      return;
    }
    assertEquals(errors.get(0).getMessage(), report.firstError().getMessage(), "the first error");
    if (whole) {
      assertEquals(
          errors.get(0).getMessage(),
          assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeAll(doc))
              .getMessage(),
          "decodeAll fails on the first bad line");
    }
  }

  /** An accepted record passes its own constructor again and survives encode/decode. */
  static void assertAcceptedRecordIsValid(CaptureRecord r) {
    assertEquals(
        r,
        new CaptureRecord(
            r.ts(),
            r.endpoint(),
            r.method(),
            r.status(),
            r.latencyMs(),
            r.srcIp(),
            r.bytesIn(),
            r.bytesOut(),
            r.model(),
            r.promptTokens(),
            r.completionTokens(),
            r.ttftMs(),
            r.service(),
            r.apiKeyId(),
            r.tenant(),
            r.traceId(),
            r.host()));
    assertEquals(r, CaptureCodec.decodeLine(CaptureCodec.encode(r), 1));
  }

  static boolean blank(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  static String strictUtf8(byte[] b, int from, int to) {
    try {
      return UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, from, to - from))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  // ========================================================= one hostile field, exact verdicts

  static final ObjectMapper JSON = Json.mapper();
  static final Set<String> REQUIRED = Set.of("ts", "endpoint", "status", "latency_ms", "src_ip");

  /** String fields that hold names (a narrow alphabet); the other string fields hold free text. */
  static final Set<String> NAME_FIELDS = Set.of("endpoint", "method", "src_ip", "service");

  static final String[] STRING_FIELDS = {
    "endpoint", "method", "src_ip", "service", "model", "api_key_id", "tenant", "trace_id", "host"
  };
  static final String[] NUMBER_FIELDS = {
    "ts",
    "status",
    "prompt_tokens",
    "completion_tokens",
    "bytes_in",
    "bytes_out",
    "latency_ms",
    "ttft_ms"
  };

  /** JSON values that no field accepts. */
  static final String[] UNIVERSALLY_BAD = {
    "-1",
    "-0.5",
    "-1e400",
    "-9223372036854775809",
    "-99999999999999999999999",
    "true",
    "false",
    "[]",
    "{}",
    "[\"/v1\"]",
    "{\"a\":[1,{}]}",
    "[null]",
    "-86400001"
  };

  /** Characters that must not hide in a name: invisible, bidi, control, whitespace, surrogates. */
  static final String[] HIDDEN = {
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u061c",
    "\u180e",
    "\udb40\udc41",
    "\u0000",
    "\u0007",
    "\t",
    "\n",
    "\r",
    "\u001b",
    "\u007f",
    "\u0085",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u3000",
    "\u1680",
    " ",
    "\ud800",
    "\udc00",
    "\udc00\ud800",
    "\ud83d"
  };

  static void field(FuzzedDataProvider data) throws IOException {
    int kind = data.consumeInt(0, 4);
    String field =
        data.pickValue(kind == 2 ? NUMBER_FIELDS : kind == 3 ? STRING_FIELDS : CaptureCodec.FIELDS);
    CaptureRecord r = record(data);
    String head = CaptureCodec.encode(r);
    switch (kind) {
      case 0 -> { // a value of the wrong type or sign
        CaptureFormatException e =
            rejected(appendField(head, field, data.pickValue(UNIVERSALLY_BAD)), field);
        assertTrue(e.reason().startsWith("must ") && e.reason().contains(", got "), e.reason());
      }
      case 1 -> { // null: a required field is missing, an optional one absent (and so is "")
        if (REQUIRED.contains(field)) {
          assertEquals("is required", rejected(appendField(head, field, "null"), field).reason());
        } else { // the last occurrence of a key wins: "null" removes the field
          String raw =
              Arrays.asList(STRING_FIELDS).contains(field) && data.consumeBoolean()
                  ? "\"\""
                  : "null";
          ObjectNode without = (ObjectNode) JSON.readTree(head);
          without.remove(field);
          assertEquals(
              CaptureCodec.decodeLine(without.toString(), 1),
              CaptureCodec.decodeLine(appendField(head, field, raw), 1));
        }
      }
      case 2 -> { // a number out of its field's range: the reason shows it
        String raw = outOfRange(field, data);
        String shown = field.endsWith("_ms") ? Double.toString(Double.parseDouble(raw)) : raw;
        String reason = rejected(appendField(head, field, raw), field).reason();
        assertTrue(reason.endsWith(", got " + shown), reason + " should end with " + shown);
      }
      case 3 -> hiddenCharacter(field, head, data);
      default -> nesting(r, head, data); // its own field names
    }
  }

  static String appendField(String line, String field, String rawJson) {
    return line.substring(0, line.length() - 1) + ",\"" + field + "\":" + rawJson + "}";
  }

  /** Both variants of decodeLine reject the line naming the field. */
  static CaptureFormatException rejected(String line, String field) {
    CaptureFormatException e =
        assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeLine(line, 7), line);
    assertEquals("line 7: field '" + field + "': " + e.reason(), e.getMessage());
    byte[] b = line.getBytes(UTF_8);
    assertEquals(
        field,
        assertThrows(CaptureFormatException.class, () -> CaptureCodec.decodeLine(b, 0, b.length, 7))
            .field());
    return e;
  }

  static String outOfRange(String field, FuzzedDataProvider data) {
    if (field.endsWith("_ms")) {
      long maxBits = Double.doubleToLongBits(Double.MAX_VALUE);
      return switch (data.consumeInt(0, 2)) {
        case 0 ->
            Double.toString(
                Double.longBitsToDouble(
                    data.consumeLong(
                        Double.doubleToLongBits(Math.nextUp(LATENCY_MAX_MS)), maxBits)));
        case 1 -> Double.toString(-Double.longBitsToDouble(data.consumeLong(1, maxBits)));
        default ->
            data.pickValue(
                new String[] {
                  "1e308",
                  "1e400",
                  "86400000.5",
                  "86400001",
                  "-1",
                  "1E+10",
                  "-0.000001",
                  "123456789012345678901234567890"
                });
      };
    }
    long min = field.equals("ts") ? TS_MIN : field.equals("status") ? 100 : 0;
    long max =
        switch (field) {
          case "ts" -> TS_MAX - 1;
          case "status" -> 599;
          case "bytes_in", "bytes_out" -> BYTES_MAX;
          default -> TOKENS_MAX;
        };
    return switch (data.consumeInt(0, 3)) {
      case 0 -> Long.toString(data.consumeLong(Long.MIN_VALUE, min - 1));
      case 1 -> Long.toString(data.consumeLong(max + 1, Long.MAX_VALUE));
      case 2 ->
          Long.toString(
              data.pickValue(new long[] {min - 1, max + 1, max + (1L << 32), Long.MIN_VALUE}));
      default -> { // past a long
        BigInteger big =
            new BigInteger(1, data.consumeBytes(25))
                .add(BigInteger.valueOf(Long.MAX_VALUE))
                .add(BigInteger.ONE);
        yield (data.consumeBoolean() ? big.negate() : big).toString();
      }
    };
  }

  /**
   * A hidden character is refused in a name and kept exactly in free text; a lone surrogate is
   * refused.
   */
  static void hiddenCharacter(String field, String head, FuzzedDataProvider data)
      throws IOException {
    String hostile = data.pickValue(HIDDEN);
    boolean escaped = data.consumeBoolean();
    String base =
        prefix(JSON.readTree(head).path(field).asText(""), 100); // leaves room below any limit
    int at = base.offsetByCodePoints(0, data.consumeInt(0, base.codePointCount(0, base.length())));
    String value = base.substring(0, at) + hostile + base.substring(at);
    String line = appendField(head, field, jsonString(value, hostile, escaped));
    boolean unpaired = hasUnpairedSurrogate(hostile);
    if (NAME_FIELDS.contains(field) || unpaired) {
      CaptureFormatException e = rejected(line, field);
      assertTrue(
          !unpaired || NAME_FIELDS.contains(field) || e.reason().startsWith(CaptureRules.UNICODE),
          e.reason());
    } else {
      CaptureRecord got = CaptureCodec.decodeLine(line, 1);
      assertEquals(
          value,
          JSON.readTree(CaptureCodec.encode(got)).path(field).asText(),
          "free text is kept exactly");
      assertAcceptedRecordIsValid(got);
    }
    if (!unpaired) { // a lone surrogate has no UTF-8 form: it only exists escaped
      byte[] b = line.getBytes(UTF_8);
      checkDocument(b, 0, b.length, 1);
    }
  }

  static String prefix(String s, int max) {
    return s.length() <= max
        ? s
        : s.substring(0, Character.isLowSurrogate(s.charAt(max)) ? max - 1 : max);
  }

  static boolean hasUnpairedSurrogate(String s) {
    return s.codePoints().anyMatch(c -> Character.getType(c) == Character.SURROGATE);
  }

  /**
   * A JSON string of {@code value}: the hostile characters escaped, or raw where JSON allows it.
   */
  static String jsonString(String value, String hostile, boolean escaped) {
    StringBuilder sb = new StringBuilder("\"");
    boolean unpaired = hasUnpairedSurrogate(hostile);
    for (char c : value.toCharArray()) {
      boolean mustEscape =
          c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c) && unpaired;
      sb.append(
          mustEscape || escaped && hostile.indexOf(c) >= 0 ? String.format("\\u%04x", (int) c) : c);
    }
    return sb.append('"').toString();
  }

  /** Nesting is bounded at 64 levels wherever it is; a deeper line is malformed. */
  static void nesting(CaptureRecord r, String head, FuzzedDataProvider data) {
    String field =
        data.pickValue(
            new String[] {"x", "unknown_field", "headers", "model", "status", "ts", "tenant"});
    int depth = data.consumeInt(1, 400);
    boolean objects = data.consumeBoolean();
    boolean second = data.consumeBoolean(); // as the second line of a document
    String line =
        appendField(
            head,
            field,
            objects
                ? "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1)
                : "[".repeat(depth) + "]".repeat(depth));
    List<CaptureRecord> got = new ArrayList<>();
    DecodeReport report =
        CaptureCodec.decodeLenient(((second ? head + "\n" : "") + line).getBytes(UTF_8), got::add);
    if (depth <= 63
        && !Arrays.asList(CaptureCodec.FIELDS)
            .contains(field)) { // with the line's object: 64 levels
      assertEquals(new DecodeReport(second ? 2 : 1, 0, null), report);
      assertEquals(r, got.get(got.size() - 1));
      return;
    }
    assertEquals(1, report.rejected());
    CaptureFormatException e = report.firstError();
    assertEquals(second ? 2 : 1, e.line());
    if (depth <= 63) {
      assertEquals(field, e.field(), e.getMessage());
      assertTrue(e.reason().endsWith(objects ? ", got an object" : ", got an array"), e.reason());
    } else {
      assertNull(e.field(), e.getMessage());
      assertTrue(
          e.reason().startsWith("malformed JSON: Document nesting depth (65) exceeds"), e.reason());
    }
  }
}
