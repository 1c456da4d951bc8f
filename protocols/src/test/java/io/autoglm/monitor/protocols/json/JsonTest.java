package io.autoglm.monitor.protocols.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The policy {@link Json} sets in one place: keys, nulls, times, unknown keys. */
class JsonTest {

  record Sample(
      String camelCaseKey,
      @JsonProperty("1xx") long oneXx,
      Instant at,
      Instant never,
      @JsonInclude(JsonInclude.Include.NON_NULL) String optional) {}

  @Test
  void keysAreTheComponentNamesNullsAreWrittenTimesAreIsoText() {
    Sample s = new Sample("v", 3, Instant.ofEpochMilli(1_767_225_640_000L), null, null);
    assertEquals(
        "{\"camelCaseKey\":\"v\",\"1xx\":3,\"at\":\"2026-01-01T00:00:40Z\",\"never\":null}",
        Json.toJson(s));
    assertEquals(
        "\"2026-01-01T00:00:40.123Z\"",
        Json.toJson(Instant.ofEpochMilli(1_767_225_640_123L)),
        "the same text as Instant.toString(), milliseconds when there are any");
  }

  @Test
  void readsBackEqualIgnoringKeysItDoesNotKnowInAnyOrder() throws Exception {
    Sample s = new Sample("v", 3, Instant.ofEpochMilli(1_767_225_640_123L), null, "o");
    assertEquals(s, Json.readerFor(Sample.class).readValue(Json.toBytes(s)));
    assertEquals(
        s,
        Json.readerFor(Sample.class)
            .readValue(
                "{\"optional\":\"o\",\"added-later\":{\"x\":1},\"at\":\"2026-01-01T00:00:40.123Z\","
                    + "\"1xx\":3,\"camelCaseKey\":\"v\"}"));
  }

  @Test
  void oneMapper() {
    assertSame(Json.mapper(), Json.mapper());
  }
}
