package io.autoglm.monitor.persistence.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.autoglm.monitor.persistence.stats.SourceIpSketch.HeavyHitter;
import io.autoglm.monitor.protocols.json.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SourceIpSketchTest {

  /** Three standard errors of the distinct count. */
  private static final double DISTINCT_TOLERANCE = 3 * SourceIpSketch.DISTINCT_RELATIVE_ERROR;

  /**
   * What the class comment promises for the serial form, whatever the traffic: at most 48 items of
   * at most 45 + 12 bytes, 48 networks of at most 24 + 12 bytes, an HLL_4 of at most 1,128 bytes.
   */
  private static final int MAX_BYTES = 6 * 1024;

  private static final String HEAVY = "198.51.100.7";

  /** The {@code i}-th address of 10.0.0.0/8 (i < 2^24). */
  private static String v4(int i) {
    return "10." + ((i >>> 16) & 255) + "." + ((i >>> 8) & 255) + "." + (i & 255);
  }

  private static String randomV4(Random random) {
    return (1 + random.nextInt(222))
        + "."
        + random.nextInt(256)
        + "."
        + random.nextInt(256)
        + "."
        + random.nextInt(256);
  }

  private static String randomV6(Random random) {
    StringBuilder sb = new StringBuilder("2001:db8");
    for (int i = 0; i < 6; i++) {
      sb.append(':').append(Integer.toHexString(0x1000 + random.nextInt(0xf000)));
    }
    return sb.toString();
  }

  /** 200,000 requests: {@link #HEAVY} sends 5%, 100,000 other addresses the rest, shuffled. */
  private static List<String> heavyHitterAmongLongTail() {
    Random random = new Random(42);
    List<String> stream = new ArrayList<>(200_000);
    for (int i = 0; i < 10_000; i++) {
      stream.add(HEAVY);
    }
    for (int i = 0; i < 100_000; i++) {
      stream.add(v4(i));
    }
    for (int i = 0; i < 90_000; i++) {
      stream.add(v4(random.nextInt(100_000)));
    }
    Collections.shuffle(stream, random);
    return stream;
  }

  private static SourceIpSketch sketchOf(List<String> ips) {
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    for (String ip : ips) {
      acc.add(new String(ip)); // a fresh instance per request, as decoding gives
    }
    return acc.build();
  }

  private static void assertWithin(HeavyHitter hitter, long trueCount) {
    assertTrue(
        hitter.lowerBound() <= trueCount && trueCount <= hitter.upperBound(),
        hitter + " should bound " + trueCount);
    assertTrue(
        hitter.lowerBound() <= hitter.estimate() && hitter.estimate() <= hitter.upperBound());
  }

  private static void assertDistinct(double expected, SourceIpSketch sketch) {
    double estimate = sketch.distinctEstimate();
    assertTrue(
        Math.abs(estimate - expected) <= expected * DISTINCT_TOLERANCE,
        "distinct " + estimate + ", expected " + expected);
  }

  /**
   * What ingest builds: one sketch per batch of {@code batchSize} requests, from canonical
   * addresses with IPv4-mapped ones folded.
   */
  private static List<SourceIpSketch> batchSketchesOf(List<String> ips, int batchSize) {
    List<SourceIpSketch> batches = new ArrayList<>();
    for (int from = 0; from < ips.size(); from += batchSize) {
      SourceIpSketch.Accumulator acc = SourceIpSketch.accumulatorOfCanonical(16_384);
      for (String ip : ips.subList(from, Math.min(ips.size(), from + batchSize))) {
        acc.add(SourceIpSketch.foldV4Mapped(new String(ip)));
      }
      batches.add(acc.build());
    }
    return batches;
  }

  @Test
  void batchSketchesMergedAnswerLikeOneSketchOfEverything() {
    List<String> stream = new ArrayList<>(heavyHitterAmongLongTail());
    Random random = new Random(7);
    List<String> v6 = new ArrayList<>(); // 500 addresses in two /64 networks
    for (int i = 0; i < 500; i++) {
      v6.add("2001:db8:0:" + (i % 2 == 0 ? "a" : "b") + "::" + Integer.toHexString(i + 1));
    }
    for (int i = 0; i < 20_000; i++) {
      stream.add(v6.get(random.nextInt(v6.size())));
      stream.add("::ffff:" + HEAVY); // the same client, written by a dual-stack gateway
    }
    Collections.shuffle(stream, random);

    SourceIpSketch merged = SourceIpSketch.mergeAll(batchSketchesOf(stream, 5_000));
    SourceIpSketch whole = sketchOf(stream);

    assertEquals(240_000, merged.count());
    assertEquals(whole.count(), merged.count());
    assertDistinct(100_501, merged);
    HeavyHitter top = merged.topIps(1).get(0);
    assertEquals(HEAVY, top.item());
    assertWithin(top, 30_000);
    assertEquals(whole.topIps(1).get(0).item(), top.item());
    assertEquals("198.51.100.0/24", merged.topPrefixes(1).get(0).item());
    assertWithin(merged.topPrefixes(1).get(0), 30_000);
    assertEquals(
        java.util.Set.of("198.51.100.0/24", "2001:db8:0:a::/64", "2001:db8:0:b::/64"),
        merged.topPrefixes(3).stream().map(HeavyHitter::item).collect(Collectors.toSet()),
        "IPv6 clients are counted in their /64s");

    SourceIpSketch read = SourceIpSketch.fromBytes(merged.toBytes());
    assertEquals(merged, read);
    assertEquals(merged.topIps(5), read.topIps(5));
    assertEquals(merged.topPrefixes(5), read.topPrefixes(5));
    assertEquals(merged.distinctEstimate(), read.distinctEstimate());
    assertEquals(merged.count(), read.count());
  }

  @Test
  void aBatchSketchCountsItsAddressesExactly() {
    List<String> stream = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      stream.add("10.0.0.1");
    }
    for (int i = 0; i < 200; i++) {
      stream.add("::ffff:10.0.0.2");
    }
    for (int i = 0; i < 100; i++) {
      stream.add("2001:db8::7");
    }
    for (int i = 0; i < 100; i++) {
      stream.add(v4(1_000 + i)); // 100 addresses once each: more than a sketch keeps
    }
    SourceIpSketch batch = batchSketchesOf(stream, stream.size()).get(0);

    assertEquals(103, batch.heldExactly());
    assertEquals(
        List.of(
            new HeavyHitter("10.0.0.1", 300, 300, 300),
            new HeavyHitter("10.0.0.2", 200, 200, 200),
            new HeavyHitter("2001:db8::7", 100, 100, 100)),
        batch.topIps(3));
    assertEquals(0, batch.maximumIpError());
    assertEquals(700, batch.count());
    assertEquals(103, batch.distinctEstimate(), 1.0);

    SourceIpSketch compacted = batch.compacted();
    assertSame(compacted, batch.compacted(), "compacted once");
    assertEquals(0, compacted.heldExactly());
    assertEquals(700, compacted.count());
    assertEquals(
        List.of("10.0.0.1", "10.0.0.2", "2001:db8::7"),
        compacted.topIps(3).stream().map(HeavyHitter::item).toList());
    assertWithin(compacted.topIps(1).get(0), 300);
    assertEquals(compacted, batch, "one serial form");
    assertArrayEquals(compacted.toBytes(), batch.toBytes());
  }

  @Test
  void mergingManyBatchSketchesHoldsBoundedAddressesExactly() {
    List<String> sprayed = new ArrayList<>(100_000);
    for (int i = 0; i < 100_000; i++) {
      sprayed.add(v4(i * 131 % (1 << 24)));
    }
    List<SourceIpSketch> batches = batchSketchesOf(sprayed, 1_000);
    assertEquals(1_000, batches.get(0).heldExactly());

    SourceIpSketch merged = SourceIpSketch.mergeAll(batches);

    assertTrue(
        merged.heldExactly() <= SourceIpSketch.MERGE_HELD_EXACTLY, "held " + merged.heldExactly());
    assertEquals(100_000, merged.count());
    assertDistinct(100_000, merged);
    assertTrue(merged.toBytes().length <= MAX_BYTES, merged.toBytes().length + " bytes");
    assertEquals(0, merged.compacted().heldExactly());

    SourceIpSketch.Accumulator small = SourceIpSketch.accumulatorOfCanonical(100);
    for (int i = 0; i < 1_000; i++) {
      small.add(v4(i));
      small.add("2001:db8::" + Integer.toHexString(i + 1));
    }
    SourceIpSketch batch = small.build();
    assertTrue(batch.heldExactly() < 100, "held " + batch.heldExactly());
    assertEquals(2_000, batch.count());
    assertDistinct(2_000, batch);
  }

  @Test
  void countsDistinctAddressesWithinTheStatedError() {
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    Random random = new Random(1);
    for (int i = 0; i < 10_000; i++) {
      acc.add(v4(i * 7 + 3), 1 + random.nextInt(3));
    }
    SourceIpSketch sketch = acc.build();
    assertDistinct(10_000, sketch);
    assertTrue(sketch.distinctLowerBound(3) <= 10_000 && 10_000 <= sketch.distinctUpperBound(3));

    SourceIpSketch.Accumulator few = SourceIpSketch.accumulator();
    for (int i = 0; i < 100; i++) {
      few.add(v4(i), 5);
    }
    SourceIpSketch small = few.build();
    assertEquals(100, small.distinctEstimate(), 1.0, "few addresses are counted all but exactly");
    assertEquals(500, small.count());
  }

  @Test
  void findsTheHeavyHitterInALongTail() {
    SourceIpSketch sketch = sketchOf(heavyHitterAmongLongTail());

    assertEquals(200_000, sketch.count());
    assertDistinct(100_001, sketch);
    HeavyHitter top = sketch.topIps(1).get(0);
    assertEquals(HEAVY, top.item());
    assertWithin(top, 10_000);
    assertTrue(
        sketch.maximumIpError() <= 3.5 / SourceIpSketch.MAX_MAP_SIZE * sketch.count(),
        "error " + sketch.maximumIpError());
    assertEquals(top.upperBound() - top.lowerBound(), sketch.maximumIpError());
  }

  @Test
  void topListsAreSortedAndCapped() {
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    for (int i = 1; i <= 10; i++) {
      acc.add("192.0." + i + ".1", i * 10L);
    }
    SourceIpSketch sketch = acc.build();
    List<HeavyHitter> top = sketch.topIps(3);
    assertEquals(
        List.of(
            new HeavyHitter("192.0.10.1", 100, 100, 100),
            new HeavyHitter("192.0.9.1", 90, 90, 90),
            new HeavyHitter("192.0.8.1", 80, 80, 80)),
        top);
    assertEquals(10, sketch.topIps(100).size());
    assertEquals(List.of(), sketch.topIps(0));
    assertEquals(new HeavyHitter("192.0.10.0/24", 100, 100, 100), sketch.topPrefixes(1).get(0));
    assertThrows(IllegalArgumentException.class, () -> sketch.topIps(-1));
    assertEquals(List.of(), SourceIpSketch.empty().topIps(5));
  }

  /**
   * One /24's 256 addresses each send a little: no address stands out, the network does. The three
   * busy addresses send more than {@code 3.5 / MAX_MAP_SIZE} (5.5%) of the requests each, so the
   * sketch is bound to keep them; the spray's network too (9.5%).
   */
  @Test
  void aSprayedSlash24RanksFirstAmongPrefixes() {
    Random random = new Random(7);
    List<String> stream = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      for (int j = 0; j < 8; j++) {
        stream.add("203.0.113." + i);
      }
    }
    List<String> busy = List.of("100.64.0.9", "100.64.16.9", "100.64.32.9");
    for (String ip : busy) {
      for (int j = 0; j < 1_500; j++) {
        stream.add(ip);
      }
    }
    for (int i = 0; i < 5_000; i++) {
      String ip = randomV4(random);
      if (!ip.startsWith("203.0.113.") && !ip.startsWith("100.64.")) {
        for (int j = 0; j < 3; j++) {
          stream.add(ip);
        }
      }
    }
    Collections.shuffle(stream, random);
    SourceIpSketch sketch = sketchOf(stream);

    List<HeavyHitter> networks = sketch.topPrefixes(4);
    assertEquals("203.0.113.0/24", networks.get(0).item());
    assertWithin(networks.get(0), 2_048);
    assertEquals(
        List.of("100.64.0.0/24", "100.64.16.0/24", "100.64.32.0/24"),
        networks.subList(1, 4).stream().map(HeavyHitter::item).sorted().toList());
    List<HeavyHitter> topIps = sketch.topIps(3);
    assertEquals(busy, topIps.stream().map(HeavyHitter::item).sorted().toList());
    for (HeavyHitter ip : topIps) {
      assertWithin(ip, 1_500);
    }
  }

  @Test
  void ipv6AddressesGroupBySlash64() {
    assertEquals("2001:db8:1:2::/64", SourceIpSketch.prefixOf("2001:db8:1:2:3:4:5:6"));
    assertEquals("2001:db8::/64", SourceIpSketch.prefixOf("2001:db8::1"));
    assertEquals("2001:db8::/64", SourceIpSketch.prefixOf("2001:db8:0:0:1::"));
    assertEquals("2001:db8:0:1::/64", SourceIpSketch.prefixOf("2001:db8:0:1::"));
    assertEquals("0:0:1:2::/64", SourceIpSketch.prefixOf("::1:2:3:4:5:6"));
    assertEquals("::/64", SourceIpSketch.prefixOf("::1"));
    assertEquals("::/64", SourceIpSketch.prefixOf("::"));
    assertEquals("fe80::/64", SourceIpSketch.prefixOf("FE80::1:2:3:4"));
    assertEquals("2001:db8:aa:bb::/64", SourceIpSketch.prefixOf("2001:0db8:00aa:00bb::1"));
    assertEquals("192.0.2.0/24", SourceIpSketch.prefixOf("192.0.2.77"));
    assertEquals("192.0.2.0/24", SourceIpSketch.prefixOf("::ffff:192.0.2.77"));
    assertEquals("0.0.0.0/24", SourceIpSketch.prefixOf("0.0.0.0"));
    assertThrows(IllegalArgumentException.class, () -> SourceIpSketch.prefixOf("example.com"));
    assertThrows(IllegalArgumentException.class, () -> SourceIpSketch.prefixOf("192.0.2.1/24"));

    Random random = new Random(9);
    List<String> stream = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      String ip = "2001:db8:aa:bb:" + Integer.toHexString(random.nextInt(0x10000)) + ":1:2:" + i;
      stream.add(ip);
      stream.add(ip);
    }
    for (int i = 0; i < 3_000; i++) {
      String ip = randomV6(random);
      for (int j = 0; j < 3; j++) {
        stream.add(ip);
      }
    }
    Collections.shuffle(stream, random);
    HeavyHitter network = sketchOf(stream).topPrefixes(1).get(0);
    assertEquals("2001:db8:aa:bb::/64", network.item());
    assertWithin(network, 2_000);
  }

  @Test
  void anIpv4MappedAddressIsTheIpv4Address() {
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    acc.add("::ffff:192.0.2.1");
    acc.add("192.0.2.1", 2);
    acc.add("2001:DB8::1"); // not canonical: canonicalized on the way into the sketches
    acc.add("2001:db8::1");
    SourceIpSketch sketch = acc.build();
    assertEquals(
        List.of(new HeavyHitter("192.0.2.1", 3, 3, 3), new HeavyHitter("2001:db8::1", 2, 2, 2)),
        sketch.topIps(5));
    assertEquals(2, sketch.distinctEstimate(), 0.01);
  }

  @Test
  void addRejectsWhatCannotBeAnAddressAndIgnoresZero() {
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    acc.add("192.0.2.1", 0);
    assertSame(SourceIpSketch.empty(), acc.build());
    assertThrows(IllegalArgumentException.class, () -> acc.add("192.0.2.1", -1));
    assertThrows(IllegalArgumentException.class, () -> acc.add("1".repeat(46)));
    assertThrows(NullPointerException.class, () -> acc.add(null));

    acc.add("not-an-ip", 2); // counted as an address of its own, in no network
    acc.add("192.0.2.1");
    SourceIpSketch sketch = acc.build();
    assertEquals(3, sketch.count());
    assertEquals(new HeavyHitter("not-an-ip", 2, 2, 2), sketch.topIps(1).get(0));
    assertEquals(List.of(new HeavyHitter("192.0.2.0/24", 1, 1, 1)), sketch.topPrefixes(5));
  }

  @Test
  void buildHandsOverAndStartsOver() {
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    acc.add("192.0.2.1", 5);
    SourceIpSketch first = acc.build();
    assertSame(SourceIpSketch.empty(), acc.build());
    acc.add("192.0.2.2", 7);
    SourceIpSketch second = acc.build();
    assertEquals(5, first.count());
    assertEquals(List.of(new HeavyHitter("192.0.2.2", 7, 7, 7)), second.topIps(5));
  }

  @Test
  void mergedSketchesAgreeWithOneFedBoth() {
    List<String> stream = heavyHitterAmongLongTail();
    SourceIpSketch.Accumulator even = SourceIpSketch.accumulator();
    SourceIpSketch.Accumulator odd = SourceIpSketch.accumulator();
    for (int i = 0; i < stream.size(); i++) {
      (i % 2 == 0 ? even : odd).add(stream.get(i));
    }
    SourceIpSketch a = even.build();
    SourceIpSketch b = odd.build();
    byte[] aBefore = a.toBytes();
    SourceIpSketch merged = a.merge(b);
    SourceIpSketch whole = sketchOf(stream);

    assertArrayEquals(aBefore, a.toBytes(), "merge leaves its operands alone");
    assertEquals(whole.count(), merged.count());
    assertDistinct(100_001, merged);
    assertEquals(
        whole.distinctEstimate(),
        merged.distinctEstimate(),
        100_001 * DISTINCT_TOLERANCE,
        "both within the error of the truth");
    HeavyHitter mergedTop = merged.topIps(1).get(0);
    assertEquals(HEAVY, mergedTop.item());
    assertWithin(mergedTop, 10_000);
    HeavyHitter wholeTop = whole.topIps(1).get(0);
    assertTrue(
        mergedTop.lowerBound() <= wholeTop.upperBound()
            && wholeTop.lowerBound() <= mergedTop.upperBound(),
        mergedTop + " and " + wholeTop + " overlap");
    assertTrue(
        merged.maximumIpError() <= 3.5 / SourceIpSketch.MAX_MAP_SIZE * merged.count(),
        "merged error " + merged.maximumIpError());

    // merging is symmetric in what it tells, and the empty sketch is neutral
    SourceIpSketch other = b.merge(a);
    assertEquals(merged.count(), other.count());
    assertEquals(merged.distinctEstimate(), other.distinctEstimate(), 1e-9);
    assertEquals(HEAVY, other.topIps(1).get(0).item());
    assertSame(a, a.merge(SourceIpSketch.empty()));
    assertSame(a, SourceIpSketch.empty().merge(a));
  }

  /** The holder stands for what stores the sketch: a window's statistics. */
  record Holder(long start, SourceIpSketch sources) {}

  @Test
  void survivesCborAndJson() throws Exception {
    Random random = new Random(3);
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    for (int i = 0; i < 5_000; i++) {
      acc.add(i % 5 == 0 ? randomV6(random) : v4(random.nextInt(300)));
    }
    SourceIpSketch sketch = acc.build();
    CBORMapper cbor = new CBORMapper();
    for (SourceIpSketch original : List.of(sketch, SourceIpSketch.empty())) {
      SourceIpSketch fromCbor =
          cbor.readValue(cbor.writeValueAsBytes(original), SourceIpSketch.class);
      String json = Json.toJson(original);
      SourceIpSketch fromJson = Json.readerFor(SourceIpSketch.class).readValue(json);
      for (SourceIpSketch read : List.of(fromCbor, fromJson)) {
        assertEquals(original, read);
        assertEquals(original.hashCode(), read.hashCode());
        assertEquals(original.count(), read.count());
        assertEquals(original.distinctEstimate(), read.distinctEstimate(), 1e-9);
        assertEquals(original.topIps(20), read.topIps(20));
        assertEquals(original.topPrefixes(20), read.topPrefixes(20));
        assertEquals(original.maximumIpError(), read.maximumIpError());
        assertEquals(original.merge(sketch), read.merge(sketch), "reads back mergeable");
      }
    }

    Holder holder = new Holder(60_000, sketch);
    assertEquals(holder, cbor.readValue(cbor.writeValueAsBytes(holder), Holder.class));
    assertEquals(holder, Json.readerFor(Holder.class).readValue(Json.toJson(holder)));

    assertEquals(1, SourceIpSketch.empty().toBytes().length);
    assertTrue(cbor.writeValueAsBytes(SourceIpSketch.empty()).length <= 2);
    assertEquals("\"Ag==\"", Json.toJson(SourceIpSketch.empty()));
    assertSame(SourceIpSketch.empty(), SourceIpSketch.fromBytes(new byte[] {2}));
    assertSame(SourceIpSketch.empty(), SourceIpSketch.fromBytes(new byte[] {1}), "version 1");
    assertTrue(sketch.toBytes().length <= 4 * 1024, sketch.toBytes().length + " bytes");
  }

  @Test
  void refusesBytesItCannotRead() {
    byte[] good = sketchOf(List.of("192.0.2.1", "2001:db8::1")).toBytes();
    assertThrows(IllegalArgumentException.class, () -> SourceIpSketch.fromBytes(new byte[0]));
    byte[] future = good.clone();
    future[0] = 3;
    assertThrows(IllegalArgumentException.class, () -> SourceIpSketch.fromBytes(future));
    for (int length : new int[] {2, 5, good.length / 2, good.length - 1}) {
      byte[] cut = java.util.Arrays.copyOf(good, length);
      assertThrows(IllegalArgumentException.class, () -> SourceIpSketch.fromBytes(cut));
    }
  }

  @Test
  void trafficSprayedOverAWideNetworkShowsAsThatNetwork() {
    // 20,000 requests from 2,000 addresses of 100.64.0.0/16, and 10,000 sprayed over
    // 198.18.0.0/15 (one request per address, 512 /24s of about 20 each)
    Random random = new Random(5);
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    for (int i = 0; i < 20_000; i++) {
      acc.add("100.64." + random.nextInt(8) + "." + random.nextInt(250));
    }
    for (int i = 0; i < 10_000; i++) {
      acc.add("198." + (18 + i % 2) + "." + random.nextInt(256) + "." + random.nextInt(256));
    }
    acc.add("2001:db8:7:1::5", 3);
    SourceIpSketch sketch = SourceIpSketch.mergeAll(List.of(acc.build(), SourceIpSketch.empty()));
    List<HeavyHitter> wide = sketch.topWideNetworks(3);
    assertEquals(
        List.of("100.64.0.0/16", "198.18.0.0/16", "198.19.0.0/16"),
        wide.stream().map(HeavyHitter::item).toList());
    assertWithin(wide.get(0), 20_000);
    assertWithin(wide.get(1), 5_000);
    assertTrue(
        sketch.topPrefixes(10).stream()
            .noneMatch(h -> h.item().startsWith("198.") && h.lowerBound() > 40),
        "no sprayed /24 stands out (about 20 requests each): " + sketch.topPrefixes(10));
    assertEquals(
        sketch.topWideNetworks(5),
        SourceIpSketch.fromBytes(sketch.toBytes()).topWideNetworks(5),
        "stored and read back");
    assertEquals("2001:db8::/32", SourceIpSketch.wideNetworkOf("2001:db8:7:1::/64"));
    assertEquals("2001::/32", SourceIpSketch.wideNetworkOf("2001::/64"));
    assertEquals("::/32", SourceIpSketch.wideNetworkOf("::/64"));
    assertEquals("192.0.0.0/16", SourceIpSketch.wideNetworkOf("192.0.2.0/24"));
  }

  @Test
  void aSketchStoredBeforeWideNetworksStillReads() {
    SourceIpSketch sketch = sketchOf(List.of("192.0.2.1", "192.0.2.1", "2001:db8::1"));
    byte[] v2 = sketch.toBytes();
    // version 1: the same parts without the wide-network sketch and the length before the
    // network sketch
    int[] at = {1};
    skipPart(v2, at); // HLL
    skipPart(v2, at); // addresses
    int beforePrefixes = at[0];
    int prefixLength = varint(v2, at);
    java.io.ByteArrayOutputStream v1 = new java.io.ByteArrayOutputStream();
    v1.write(1);
    v1.write(v2, 1, beforePrefixes - 1);
    v1.write(v2, at[0], prefixLength);
    SourceIpSketch read = SourceIpSketch.fromBytes(v1.toByteArray());
    assertEquals(sketch.topIps(5), read.topIps(5));
    assertEquals(sketch.topPrefixes(5), read.topPrefixes(5));
    assertEquals(sketch.distinctEstimate(), read.distinctEstimate());
    assertEquals(List.of(), read.topWideNetworks(5), "it kept none");
    assertEquals(
        2,
        read.merge(sketchOf(List.of("192.0.2.9"))).toBytes()[0],
        "merged, it is written in the current format");
  }

  private static int varint(byte[] b, int[] at) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[at[0]++];
      value |= (x & 0x7f) << shift;
      if (x >= 0) {
        return value;
      }
    }
  }

  private static void skipPart(byte[] b, int[] at) {
    int length = varint(b, at);
    at[0] += length;
  }

  /** An attacker's million addresses leave the sketch as small as a busy hour's. */
  @Test
  void staysBoundedWhateverTheTraffic() {
    SourceIpSketch.Accumulator acc = SourceIpSketch.accumulator();
    for (int i = 0; i < 1_000_000; i++) {
      acc.add(v4(i));
    }
    SourceIpSketch v4Flood = acc.build();
    assertDistinct(1_000_000, v4Flood);
    assertEquals(1_000_000, v4Flood.count());

    Random random = new Random(11);
    for (int i = 0; i < 1_000_000; i++) {
      acc.add(randomV6(random));
    }
    SourceIpSketch v6Flood = acc.build();

    // as many items as are kept, the longest there are (39-character addresses in as many
    // 24-character networks): the items' worst case; then with a full HLL
    SourceIpSketch.Accumulator longest = SourceIpSketch.accumulator();
    for (int i = 0; i < SourceIpSketch.MAX_TRACKED; i++) {
      longest.add(randomV6(random).replace("2001:db8", "ffff:" + Integer.toHexString(0xf000 + i)));
    }
    SourceIpSketch longestItems = longest.build();
    assertEquals(SourceIpSketch.MAX_TRACKED, longestItems.topIps(1_000).size());
    assertEquals(SourceIpSketch.MAX_TRACKED, longestItems.topPrefixes(1_000).size());
    SourceIpSketch merged = v6Flood.merge(v4Flood).merge(longestItems);

    for (SourceIpSketch sketch : List.of(v4Flood, v6Flood, longestItems, merged)) {
      int size = sketch.toBytes().length;
      assertTrue(size <= MAX_BYTES, size + " bytes");
      assertTrue(sketch.topIps(1_000).size() <= SourceIpSketch.MAX_TRACKED);
      assertTrue(sketch.topPrefixes(1_000).size() <= SourceIpSketch.MAX_TRACKED);
      assertFalse(sketch.isEmpty());
    }
    assertDistinct(2_000_000, v6Flood.merge(v4Flood));
  }
}
