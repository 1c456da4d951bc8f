package io.autoglm.monitor.protocols.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

  @ParameterizedTest
  @CsvSource({
    "*,'',true",
    "*,/x,true",
    "?,'',false",
    "?,a,true",
    "??,a,false",
    "a*,a,true",
    "*a,a,true",
    "a*a,a,false",
    "a*a,aa,true",
    "*ab*ab*,xabyab,true",
    "*ab*ab*,xab,false",
    "/v1/*/c?mpletions,/v1/chat/completions,true",
    "/v1/*/c?mpletions,/v1/chat/compleitons,false",
    "*.json,/a/b.json,true",
    "*.json,/a/b.jsonx,false",
    "/v1/ü*,/v1/über,true",
    "/v1/?ber,/v1/über,true",
    "/x/?,/x/\uD83D\uDE00,true",
    "*a*a*a*a*a*b,aaaaaab,true",
    "*a*a*a*a*a*b,aaaab,false",
    "[a-z]*,[a-z]x,true",
    "a.c,abc,false",
    "*aab,aaab,true",
    "*aba*,abab,true"
  })
  void matchesLikeAShellGlob(String glob, String value, boolean expected) {
    assertEquals(expected, Glob.of(glob).matches(value), glob + " vs " + value);
  }

  /**
   * The pattern that pinned a core as a regex ({@code .*a.*a.*a.*a.*a.*b} backtracks exponentially
   * on a run of 'a's without a 'b'): compiled once, it now answers in far less than a millisecond
   * per match on a 512-character path.
   */
  @Test
  void aPathologicalPatternMatchesInLinearTime() {
    Glob glob = Glob.of("*a*a*a*a*a*b");
    Glob nested = Glob.of("*" + "a*".repeat(60) + "b");
    String path = "/" + "a".repeat(511);
    for (int i = 0; i < 2_000; i++) { // JIT warm-up
      glob.matches(path);
      nested.matches(path);
    }
    int rounds = 1_000;
    long start = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      assertFalse(glob.matches(path));
      assertFalse(nested.matches(path));
    }
    double microsPerMatch = (System.nanoTime() - start) / 1_000.0 / (2.0 * rounds);
    assertTrue(microsPerMatch < 200, "one match took " + microsPerMatch + " µs");
    assertTrue(glob.matches(path + "b"));
  }

  @Test
  void isStoredAsItsPatternString() throws Exception {
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    record Holder(Glob endpoint) {}
    record Before(String endpoint) {}
    byte[] old = cbor.writeValueAsBytes(new Before("/v1/chat/*"));
    assertEquals(
        new Holder(Glob.of("/v1/chat/*")),
        cbor.readValue(old, Holder.class),
        "a rule stored with a plain string reads back");
    assertEquals(
        new Before("/v1/*"),
        cbor.readValue(cbor.writeValueAsBytes(new Holder(Glob.of("/v1/*"))), Before.class));
  }
}
