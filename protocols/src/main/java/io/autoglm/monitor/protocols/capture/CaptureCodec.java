package io.autoglm.monitor.protocols.capture;

import static io.autoglm.monitor.protocols.capture.CaptureRecord.ABSENT;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * NDJSON codec for capture schema v1: one JSON object per line, UTF-8, lines separated by {@code
 * \n} or {@code \r\n}; the last line may lack its newline; blank lines are skipped but counted for
 * line numbers (which are 1-based).
 *
 * <p>Decoding uses Jackson's streaming parser over the raw bytes (no tree, no data binding) and
 * validates every field (the rules are listed on {@link CaptureRecord}). Unknown fields, including
 * nested objects and arrays, are skipped. JSON {@code null} or {@code ""} for an optional field
 * means absent; {@code null} for a required field is reported as "is required". When a key occurs
 * twice the last occurrence wins. Integer fields reject fractions ({@code 200.0}); number fields
 * accept integers. Anything after the object on the same line is an error. Lines longer than {@link
 * #MAX_LINE_BYTES} are rejected without parsing.
 *
 * <p>Encoding writes the fields in schema order with the schema's snake_case names and omits absent
 * optional fields; {@code decode(encode(r)).equals(r)} holds for every record.
 *
 * <p>All methods are thread-safe.
 */
public final class CaptureCodec {

  /** The longest line the decoder accepts, in bytes (chars for the String variant). */
  public static final int MAX_LINE_BYTES = 1 << 20;

  /** Nesting allowed inside unknown fields before a line is rejected as malformed. */
  private static final int MAX_NESTING_DEPTH = 64;

  private static final JsonFactory JSON =
      new JsonFactoryBuilder()
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          // hostile input may carry endless distinct unknown keys: keep them out of String.intern
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
          .rootValueSeparator((String) null)
          .build();

  static final String[] FIELDS = {
    "ts",
    "endpoint",
    "method",
    "status",
    "latency_ms",
    "src_ip",
    "bytes_in",
    "bytes_out",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "ttft_ms",
    "service",
    "api_key_id",
    "tenant",
    "trace_id",
    "host"
  };
  private static final int TS = 0,
      ENDPOINT = 1,
      METHOD = 2,
      STATUS = 3,
      LATENCY = 4,
      SRC_IP = 5,
      BYTES_IN = 6,
      BYTES_OUT = 7,
      MODEL = 8,
      PROMPT = 9,
      COMPLETION = 10,
      TTFT = 11,
      SERVICE = 12,
      API_KEY = 13,
      TENANT = 14,
      TRACE = 15,
      HOST = 16;
  private static final SerializableString[] KEYS = new SerializableString[FIELDS.length];

  static {
    for (int i = 0; i < FIELDS.length; i++) {
      KEYS[i] = new SerializedString(FIELDS[i]);
    }
  }

  private CaptureCodec() {}

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes one line (without its line terminator; a trailing {@code \r} is tolerated).
   *
   * @param lineNumber the number to report in an error
   * @throws CaptureFormatException when the line is not a valid capture record
   */
  public static CaptureRecord decodeLine(byte[] buf, int off, int len, long lineNumber) {
    Objects.checkFromIndexSize(off, len, buf.length);
    LineDecoder d = new LineDecoder();
    CaptureRecord r = d.decode(buf, off, len);
    if (r == null) {
      throw d.error(lineNumber);
    }
    return r;
  }

  /**
   * Decodes one line given as a String.
   *
   * @throws CaptureFormatException when the line is not a valid capture record
   */
  public static CaptureRecord decodeLine(String line, long lineNumber) {
    LineDecoder d = new LineDecoder();
    CaptureRecord r = d.decode(line);
    if (r == null) {
      throw d.error(lineNumber);
    }
    return r;
  }

  /**
   * Decodes every non-blank line of an NDJSON document.
   *
   * @throws CaptureFormatException for the first bad line; nothing is returned then
   */
  public static List<CaptureRecord> decodeAll(byte[] ndjson) {
    List<CaptureRecord> out = new ArrayList<>();
    scan(ndjson, 0, ndjson.length, 1, out::add, true);
    return out;
  }

  /**
   * Decodes every good line of an NDJSON document into {@code sink}, skipping bad lines; reports
   * the counts and the first bad line.
   */
  public static DecodeReport decodeLenient(byte[] ndjson, Consumer<CaptureRecord> sink) {
    return scan(ndjson, 0, ndjson.length, 1, sink, false);
  }

  /**
   * Like {@link #decodeLenient(byte[], Consumer)} over {@code buf[off, off + len)}, numbering its
   * first line {@code firstLineNumber}: for a stream cut into chunks at line boundaries.
   */
  public static DecodeReport decodeLenient(
      byte[] buf, int off, int len, long firstLineNumber, Consumer<CaptureRecord> sink) {
    Objects.checkFromIndexSize(off, len, buf.length);
    return scan(buf, off, off + len, firstLineNumber, sink, false);
  }

  /**
   * Decodes the lines in {@code [from, to)}. Fast path: one parser reads the objects of many lines
   * in a row (creating a parser per line costs more than parsing a typical line). Any line that
   * does not hold exactly one JSON object on its own goes through its own parser, which gives
   * exactly the per-line answer, and the fast path starts again after it.
   */
  private static DecodeReport scan(
      byte[] buf, int from, int to, long firstLine, Consumer<CaptureRecord> sink, boolean strict) {
    Objects.requireNonNull(sink, "sink");
    LineDecoder d = new LineDecoder();
    long accepted = 0;
    long rejected = 0;
    CaptureFormatException first = null;
    long line = firstLine - 1;
    int pos = from;
    JsonParser shared = null;
    int sharedBase = 0;
    try {
      while (pos < to) {
        int nl = Newlines.indexOf(buf, pos, to);
        line++;
        int end = nl;
        if (end > pos && buf[end - 1] == '\r') {
          end--;
        }
        if (!isBlank(buf, pos, end)) {
          CaptureRecord r = null;
          boolean decoded = false;
          if (end - pos <= MAX_LINE_BYTES && !looksWide(buf, pos, end - pos)) {
            try {
              if (shared == null) {
                shared = JSON.createParser(buf, pos, to - pos);
                sharedBase = pos;
              }
              r = d.decode(shared, false);
              long offset = shared.currentLocation().getByteOffset(); // -1 from a char-based parser
              int objectEnd = sharedBase + (int) offset;
              decoded =
                  offset >= 0
                      && d.lastObjectComplete
                      && objectEnd <= end
                      && isBlank(buf, objectEnd, end);
            } catch (IOException e) {
              decoded = false;
            }
          }
          if (!decoded) {
            // not one object alone on its line: judge the line on its own, then start afresh
            closeQuietly(shared);
            shared = null;
            r = d.decode(buf, pos, end - pos);
          }
          if (r != null) {
            accepted++;
            sink.accept(r);
          } else {
            if (strict) {
              throw d.error(line);
            }
            if (rejected++ == 0) {
              first = d.error(line);
            }
          }
        }
        pos = nl + 1;
      }
    } finally {
      closeQuietly(shared);
    }
    return new DecodeReport(accepted, rejected, first);
  }

  private static void closeQuietly(JsonParser p) {
    if (p != null) {
      try {
        p.close();
      } catch (IOException ignored) {
        // a parser over a byte array holds nothing to release
      }
    }
  }

  /**
   * Whether Jackson would read these bytes as UTF-16 or UTF-32: it guesses so from NUL bytes or a
   * UTF-16 byte-order mark among the first four. Neither can start a line of UTF-8 JSON.
   */
  private static boolean looksWide(byte[] buf, int off, int len) {
    int n = Math.min(4, len);
    for (int i = 0; i < n; i++) {
      if (buf[off + i] == 0) {
        return true;
      }
    }
    return n >= 2
        && ((buf[off] == (byte) 0xFE && buf[off + 1] == (byte) 0xFF)
            || (buf[off] == (byte) 0xFF && buf[off + 1] == (byte) 0xFE));
  }

  private static boolean isBlank(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = buf[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /** Decodes one line; on failure returns null and leaves the error in its fields. */
  private static final class LineDecoder {
    private final StringCache strings = StringCache.forThisThread();
    private String errorField;
    private String errorReason;
    private final String[] pending = new String[FIELDS.length];

    /**
     * Whether the last {@link #decode(JsonParser, boolean)} read its object up to the closing
     * brace.
     */
    boolean lastObjectComplete;

    CaptureFormatException error(long line) {
      return new CaptureFormatException(line, errorField, errorReason);
    }

    private CaptureRecord fail(String field, String reason) {
      errorField = field;
      errorReason = reason;
      return null;
    }

    CaptureRecord decode(byte[] buf, int off, int len) {
      if (len > MAX_LINE_BYTES) {
        return fail(null, "line is longer than " + MAX_LINE_BYTES + " bytes");
      }
      if (looksWide(buf, off, len)) {
        return fail(
            null,
            "not UTF-8 text (NUL bytes or a UTF-16 byte-order mark); capture records are UTF-8");
      }
      try (JsonParser p = JSON.createParser(buf, off, len)) {
        return decode(p, true);
      } catch (IOException e) {
        return fail(null, "malformed JSON: " + e.getMessage());
      }
    }

    CaptureRecord decode(String line) {
      if (line.length() > MAX_LINE_BYTES) {
        return fail(null, "line is longer than " + MAX_LINE_BYTES + " characters");
      }
      try (JsonParser p = JSON.createParser(line)) {
        return decode(p, true);
      } catch (IOException e) {
        return fail(null, "malformed JSON: " + e.getMessage());
      }
    }

    /**
     * Reads one object from {@code p}. With {@code wholeInput} the object must be all the input (a
     * line's own parser); otherwise the caller checks where the object ended.
     */
    private CaptureRecord decode(JsonParser p, boolean wholeInput) throws IOException {
      java.util.Arrays.fill(pending, null);
      lastObjectComplete = false;
      long ts = 0;
      boolean hasTs = false;
      String endpoint = null;
      String method = null;
      int status = 0;
      boolean hasStatus = false;
      double latency = 0;
      boolean hasLatency = false;
      String srcIp = null;
      long bytesIn = ABSENT;
      long bytesOut = ABSENT;
      String model = null;
      long prompt = ABSENT;
      long completion = ABSENT;
      double ttft = Double.NaN;
      String service = null;
      String apiKeyId = null;
      String tenant = null;
      String traceId = null;
      String host = null;

      boolean objectDone = false;
      try {
        JsonToken t = p.nextToken();
        if (t == null) {
          return fail(null, "empty line, expected a JSON object");
        }
        if (t != JsonToken.START_OBJECT) {
          return fail(null, "not a JSON object, got " + describe(t, p));
        }
        // Writers put the fields in schema order, so first compare the next name's raw bytes
        // with the name expected next (Jackson's nextFieldName(SerializableString)); only
        // other names are read as Strings and looked up.
        int expected = 0;
        while (true) {
          int field;
          if (expected < KEYS.length && p.nextFieldName(KEYS[expected])) {
            field = expected;
          } else {
            if (expected == KEYS.length) {
              p.nextToken();
            }
            if (p.currentToken() == JsonToken.END_OBJECT) {
              break;
            }
            if (p.currentToken() != JsonToken.FIELD_NAME) { // the input ended inside the object
              return fail(null, "malformed JSON: unexpected end of input inside the object");
            }
            field = fieldIndex(p.currentName());
          }
          if (field >= 0) {
            expected = field + 1;
          }
          JsonToken v = p.nextToken();
          switch (field) {
            case TS:
              hasTs = isLong(v, p);
              if (hasTs) {
                ts = p.getLongValue();
                pending[TS] = null;
              } else {
                wrongType(TS, v, p, CaptureRules.TS);
              }
              break;
            case ENDPOINT:
              endpoint = repeated(ENDPOINT, v, p, CaptureRules.ENDPOINT);
              break;
            case METHOD:
              method = repeated(METHOD, v, p, CaptureRules.METHOD);
              break;
            case STATUS:
              hasStatus = false;
              if (isLong(v, p)) {
                long s = p.getLongValue();
                if (s >= 100 && s <= 599) {
                  status = (int) s;
                  hasStatus = true;
                  pending[STATUS] = null;
                } else {
                  pending[STATUS] = CaptureRules.STATUS + ", got " + s;
                }
              } else {
                wrongType(STATUS, v, p, CaptureRules.STATUS);
              }
              break;
            case LATENCY:
              hasLatency = isNumber(v);
              if (hasLatency) {
                latency = p.getDoubleValue();
                pending[LATENCY] = null;
              } else {
                wrongType(LATENCY, v, p, CaptureRules.DURATION);
              }
              break;
            case SRC_IP:
              srcIp = string(SRC_IP, v, p, CaptureRules.SRC_IP);
              break;
            case BYTES_IN:
              bytesIn = count(BYTES_IN, v, p);
              break;
            case BYTES_OUT:
              bytesOut = count(BYTES_OUT, v, p);
              break;
            case MODEL:
              model = repeated(MODEL, v, p, CaptureRules.MODEL);
              break;
            case PROMPT:
              prompt = count(PROMPT, v, p);
              break;
            case COMPLETION:
              completion = count(COMPLETION, v, p);
              break;
            case TTFT:
              ttft = Double.NaN;
              if (isNumber(v)) {
                ttft = p.getDoubleValue();
                pending[TTFT] = null;
              } else {
                wrongType(TTFT, v, p, CaptureRules.DURATION);
              }
              break;
            case SERVICE:
              service = repeated(SERVICE, v, p, CaptureRules.SERVICE);
              break;
            case API_KEY:
              apiKeyId = repeated(API_KEY, v, p, CaptureRules.ID);
              break;
            case TENANT:
              tenant = repeated(TENANT, v, p, CaptureRules.ID);
              break;
            case TRACE:
              traceId = string(TRACE, v, p, CaptureRules.ID);
              break;
            case HOST:
              host = repeated(HOST, v, p, CaptureRules.ID);
              break;
            default:
              p.skipChildren();
          }
        }
        objectDone = true;
        lastObjectComplete = true;
        if (wholeInput && p.nextToken() != null) {
          return fail(null, "unexpected content after the JSON object");
        }
      } catch (JsonProcessingException e) {
        return objectDone
            ? fail(null, "unexpected content after the JSON object")
            : fail(null, "malformed JSON: " + shorten(e.getOriginalMessage()));
      }

      // Report the first problem in schema order, whether it is a type error, a missing field or
      // a rule the constructor checks. On the error path only, missing or mistyped required
      // fields get valid stand-ins so that the constructor can judge the fields before them.
      int first = -1;
      boolean complete = hasTs && endpoint != null && hasStatus && hasLatency && srcIp != null;
      for (int i = 0; i < FIELDS.length && first < 0; i++) {
        if (pending[i] != null
            || !complete && isMissing(i, hasTs, endpoint, hasStatus, hasLatency, srcIp)) {
          first = i;
        }
      }
      try {
        if (first >= 0) {
          new CaptureRecord(
              hasTs ? ts : CaptureRules.TS_MIN,
              endpoint == null ? "/" : endpoint,
              method,
              hasStatus ? status : 200,
              hasLatency ? latency : 0,
              srcIp == null ? "0.0.0.0" : srcIp,
              bytesIn,
              bytesOut,
              model,
              prompt,
              completion,
              ttft,
              service,
              apiKeyId,
              tenant,
              traceId,
              host);
          return fail(
              FIELDS[first], pending[first] != null ? pending[first] : CaptureRules.REQUIRED);
        }
        return new CaptureRecord(
            ts,
            endpoint,
            method,
            status,
            latency,
            srcIp,
            bytesIn,
            bytesOut,
            model,
            prompt,
            completion,
            ttft,
            service,
            apiKeyId,
            tenant,
            traceId,
            host);
      } catch (CaptureFieldException e) {
        if (first >= 0 && indexOf(e.field()) > first) {
          return fail(
              FIELDS[first], pending[first] != null ? pending[first] : CaptureRules.REQUIRED);
        }
        return fail(e.field(), e.reason());
      }
    }

    private static boolean isMissing(
        int field,
        boolean hasTs,
        String endpoint,
        boolean hasStatus,
        boolean hasLatency,
        String srcIp) {
      switch (field) {
        case TS:
          return !hasTs;
        case ENDPOINT:
          return endpoint == null;
        case STATUS:
          return !hasStatus;
        case LATENCY:
          return !hasLatency;
        case SRC_IP:
          return srcIp == null;
        default:
          return false;
      }
    }

    /** The schema index of a field name, or -1 for a name the schema does not know. */
    private static int fieldIndex(String name) {
      switch (name) {
        case "ts":
          return TS;
        case "endpoint":
          return ENDPOINT;
        case "method":
          return METHOD;
        case "status":
          return STATUS;
        case "latency_ms":
          return LATENCY;
        case "src_ip":
          return SRC_IP;
        case "bytes_in":
          return BYTES_IN;
        case "bytes_out":
          return BYTES_OUT;
        case "model":
          return MODEL;
        case "prompt_tokens":
          return PROMPT;
        case "completion_tokens":
          return COMPLETION;
        case "ttft_ms":
          return TTFT;
        case "service":
          return SERVICE;
        case "api_key_id":
          return API_KEY;
        case "tenant":
          return TENANT;
        case "trace_id":
          return TRACE;
        case "host":
          return HOST;
        default:
          return -1;
      }
    }

    private static int indexOf(String field) {
      for (int i = 0; i < FIELDS.length; i++) {
        if (FIELDS[i].equals(field)) {
          return i;
        }
      }
      return -1;
    }

    private String string(int field, JsonToken v, JsonParser p, String rule) throws IOException {
      if (v == JsonToken.VALUE_STRING) {
        pending[field] = null;
        return p.getText();
      }
      wrongType(field, v, p, rule);
      return null;
    }

    /**
     * {@link #string} for a field whose values repeat: one instance per value ({@link
     * StringCache}).
     */
    private String repeated(int field, JsonToken v, JsonParser p, String rule) throws IOException {
      if (v == JsonToken.VALUE_STRING) {
        pending[field] = null;
        return strings.get(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      }
      wrongType(field, v, p, rule);
      return null;
    }

    private long count(int field, JsonToken v, JsonParser p) throws IOException {
      String rule = CaptureRules.countRule(FIELDS[field]);
      if (isLong(v, p)) {
        long n = p.getLongValue();
        if (n >= 0 && n <= CaptureRules.countMax(FIELDS[field])) {
          pending[field] = null;
          return n;
        }
        pending[field] = rule + ", got " + n;
        return ABSENT;
      }
      wrongType(field, v, p, rule);
      return ABSENT;
    }

    /** Records a type error for the field, or clears it for JSON null (= absent). */
    private void wrongType(int field, JsonToken v, JsonParser p, String rule) throws IOException {
      pending[field] = v == JsonToken.VALUE_NULL ? null : rule + ", got " + describe(v, p);
    }

    private static boolean isLong(JsonToken v, JsonParser p) throws IOException {
      return v == JsonToken.VALUE_NUMBER_INT
          && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    }

    private static boolean isNumber(JsonToken v) {
      return v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT;
    }

    /** How a JSON value reads in an error message; skips the children of containers. */
    private static String describe(JsonToken v, JsonParser p) throws IOException {
      switch (v) {
        case START_OBJECT:
          p.skipChildren();
          return "an object";
        case START_ARRAY:
          p.skipChildren();
          return "an array";
        case VALUE_STRING:
          return CaptureRules.quote(p.getText());
        default:
          return shorten(p.getText());
      }
    }

    private static String shorten(String s) {
      if (s == null) {
        return "";
      }
      return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
  }

  // ---------------------------------------------------------------- encoding

  /** The record as one JSON object (no newline). */
  public static String encode(CaptureRecord record) {
    StringWriter w = new StringWriter(320);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      write(g, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return w.toString();
  }

  /**
   * Writes the record as one NDJSON line (JSON object and {@code \n}); does not close {@code out}.
   */
  public static void encode(CaptureRecord record, OutputStream out) throws IOException {
    encodeAll(List.of(record), out);
  }

  /** Writes the records as NDJSON, one line each; does not close {@code out}. */
  public static void encodeAll(Iterable<CaptureRecord> records, OutputStream out)
      throws IOException {
    try (CaptureWriter w = new CaptureWriter(out, false)) {
      for (CaptureRecord r : records) {
        w.write(r);
      }
    }
  }

  /** The records as an NDJSON document (UTF-8), one line each. */
  public static byte[] encodeAll(Collection<CaptureRecord> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(records.size() * 256 + 16);
    try {
      encodeAll(records, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  static JsonGenerator newGenerator(OutputStream out, boolean closeTarget) throws IOException {
    JsonGenerator g = JSON.createGenerator(out);
    if (!closeTarget) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }
    return g;
  }

  static void write(JsonGenerator g, CaptureRecord r) throws IOException {
    g.writeStartObject();
    g.writeFieldName(KEYS[TS]);
    g.writeNumber(r.ts());
    g.writeFieldName(KEYS[ENDPOINT]);
    g.writeString(r.endpoint());
    g.writeFieldName(KEYS[METHOD]);
    g.writeString(r.method());
    g.writeFieldName(KEYS[STATUS]);
    g.writeNumber(r.status());
    g.writeFieldName(KEYS[LATENCY]);
    g.writeNumber(r.latencyMs());
    g.writeFieldName(KEYS[SRC_IP]);
    g.writeString(r.srcIp());
    writeCount(g, BYTES_IN, r.bytesIn());
    writeCount(g, BYTES_OUT, r.bytesOut());
    writeString(g, MODEL, r.model());
    writeCount(g, PROMPT, r.promptTokens());
    writeCount(g, COMPLETION, r.completionTokens());
    if (r.hasTtft()) {
      g.writeFieldName(KEYS[TTFT]);
      g.writeNumber(r.ttftMs());
    }
    writeString(g, SERVICE, r.service());
    writeString(g, API_KEY, r.apiKeyId());
    writeString(g, TENANT, r.tenant());
    writeString(g, TRACE, r.traceId());
    writeString(g, HOST, r.host());
    g.writeEndObject();
  }

  private static void writeCount(JsonGenerator g, int field, long value) throws IOException {
    if (value != ABSENT) {
      g.writeFieldName(KEYS[field]);
      g.writeNumber(value);
    }
  }

  private static void writeString(JsonGenerator g, int field, String value) throws IOException {
    if (value != null) {
      g.writeFieldName(KEYS[field]);
      g.writeString(value);
    }
  }
}
