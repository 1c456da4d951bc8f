package io.autoglm.monitor.persistence.stats;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.autoglm.monitor.protocols.capture.IpAddresses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * An immutable summary of the source IPs that called an endpoint in a window: how many distinct
 * addresses (a HyperLogLog sketch), and which addresses and which networks ({@code /24} for IPv4,
 * {@code /64} for IPv6) sent the most requests (two frequent-items sketches), from Apache
 * DataSketches. Sketches merge ({@link #merge}), so per-batch summaries from ingest fold into
 * entity windows, and its size is bounded whatever the traffic: at most about 1.1 KB for the HLL
 * and {@value #MAX_TRACKED} entries per frequent-items sketch, under 6 KB serialized in all (a
 * window of 5,000 requests from 300 addresses takes about 2.9 KB, 3.7 KB if they are IPv6; from 5
 * addresses, 0.4 KB; empty, 1 byte). On the heap a busy window's sketch takes about 7 KB.
 *
 * <p><b>Distinct addresses:</b> an HLL sketch with {@code lgK} {@value #LG_K} (2,048 buckets), all
 * but exact up to about 200 addresses and then within a relative standard error of about 1.04 /
 * sqrt(2048) = {@value #DISTINCT_RELATIVE_ERROR} (2.3%; 95% of estimates within 4.6%) once merged.
 * 11 rather than 10 (3.3%, 0.5 KB) or 12 (1.6%, 2 KB): "is it 10,000 or 20,000 clients" is the
 * question, and 2.3% in about 1 KB answers it, where the frequent-items sketches take as much. Held
 * as HLL_8 (fast unions), stored as HLL_4 (1 KB, the same estimates).
 *
 * <p><b>Heavy hitters:</b> each frequent-items sketch has a map of {@value #MAX_MAP_SIZE} slots and
 * so keeps at most {@value #MAX_TRACKED} items. An item's true count lies in [{@link
 * HeavyHitter#lowerBound}, {@link HeavyHitter#upperBound}]; the width of that interval (the
 * sketch's maximum error, {@link #maximumIpError()}) is at most 3.5 / {@value #MAX_MAP_SIZE} of
 * {@link #count()} (5.5%) and in practice about half that or less. So any address or network with
 * more than 5.5% of the requests is always listed, and the heaviest come first: an attacker behind
 * one address or one {@code /24} is found, and one spraying many addresses is seen as few networks
 * and many distinct addresses. A bigger map would lower the guarantee to 2.7% (128) or 1.4% (256)
 * but double or quadruple the stored size of every window of every endpoint.
 *
 * <p><b>Addresses</b> are taken as {@code CaptureRecord.srcIp} holds them: the canonical text of
 * {@link IpAddresses#canonical}, so one address is one key. An IPv4-mapped IPv6 address ({@code
 * ::ffff:a.b.c.d}, which the canonical form keeps) is counted as the IPv4 address {@code a.b.c.d}:
 * it is the same client, and it belongs in that {@code /24}.
 *
 * <p>An IPv4 address enters the HLL as its 32-bit value (hashed without encoding its text), any
 * other address as its text.
 *
 * <p><b>Sketched when needed.</b> Feeding a frequent-items sketch costs far more than counting in a
 * hash table, and a batch's long tail of addresses would be fed again for every batch. So a sketch
 * built on the ingest path ({@link #accumulatorOfCanonical}) holds its addresses exactly, merges
 * add those up in one table (up to {@value #MERGE_HELD_EXACTLY} addresses), and the sketches are
 * fed once, when a merge holds more, when an estimate is asked for, or when it is serialized
 * ({@link #compacted}). Answers and the serial form are the same either way, except that {@link
 * #topIps} of a sketch holding all its addresses exactly gives exact counts.
 *
 * <p><b>Wide networks</b> ({@code /16} for IPv4, {@code /32} for IPv6) have a third frequent-items
 * sketch, fed with the {@code /24} and {@code /64} counts: traffic sprayed over a {@code /15} is
 * thousands of light addresses and hundreds of light {@code /24}s, but two heavy {@code /16}s
 * ({@link #topWideNetworks}).
 *
 * <p>Persisted as one byte string: a format version byte ({@value #FORMAT_VERSION}), then the HLL,
 * the address sketch, the network sketch and the wide-network sketch in their DataSketches serial
 * forms (each but the last preceded by its length as an unsigned varint); an empty sketch is the
 * version byte alone. Version 1 (without wide networks) still reads, with none. The DataSketches
 * forms carry their own {@code lgK} and map size, so a later change of either still reads and
 * merges the old bytes.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public final class SourceIpSketch {
  /** HLL buckets: 2^11. */
  public static final int LG_K = 11;

  /** About 1.04 / sqrt(2^{@value #LG_K}): one standard error of {@link #distinctEstimate()}. */
  public static final double DISTINCT_RELATIVE_ERROR = 0.023;

  /** Map size of each frequent-items sketch (a power of two). */
  public static final int MAX_MAP_SIZE = 64;

  /** At most this many addresses and this many networks are kept: 3/4 of {@link #MAX_MAP_SIZE}. */
  public static final int MAX_TRACKED = MAX_MAP_SIZE * 3 / 4;

  /**
   * Addresses a merge holds exactly before it sketches them: fresh sketches from ingest hold their
   * batch's addresses exactly, and merging many of them costs a table lookup per address until
   * then.
   */
  static final int MERGE_HELD_EXACTLY = 16_384;

  /** The first byte of {@link #toBytes()}. */
  public static final byte FORMAT_VERSION = 2;

  /** The format before wide networks were kept: read, never written. */
  static final byte FORMAT_VERSION_1 = 1;

  /** The longest text {@link IpAddresses} takes for a literal (a canonical one is at most 39). */
  static final int MAX_IP_LENGTH = 45;

  private static final String V4_MAPPED = "::ffff:";
  private static final ArrayOfStringsSerDe SERDE = new ArrayOfStringsSerDe();

  /** In memory: a byte per bucket, which a union merges several times faster than HLL_4. */
  private static final TgtHllType HLL_TYPE = TgtHllType.HLL_8;

  /** In the serial form: half the size. */
  private static final TgtHllType STORED_HLL_TYPE = TgtHllType.HLL_4;

  private static final Comparator<HeavyHitter> BY_ESTIMATE =
      Comparator.comparingLong(HeavyHitter::estimate)
          .reversed()
          .thenComparing(Comparator.comparingLong(HeavyHitter::lowerBound).reversed())
          .thenComparing(HeavyHitter::item);
  private static final SourceIpSketch EMPTY =
      new SourceIpSketch(
          newHll(), newItems(), newItems(), newItems(), null, new byte[] {FORMAT_VERSION});

  // Never changed after construction: only read (estimates, serialization), and merge copies.
  // The sketches are null while every address is held exactly.
  private final HllSketch distinct;
  private final ItemsSketch<String> ips;
  private final ItemsSketch<String> prefixes;
  private final ItemsSketch<String> wide;
  private final Held held; // addresses not in the sketches yet, or null
  private volatile SourceIpSketch compacted; // held addresses sketched too (benign race)
  private volatile byte[] bytes; // the serial form, computed at most a few times (benign race)

  private SourceIpSketch(
      HllSketch distinct,
      ItemsSketch<String> ips,
      ItemsSketch<String> prefixes,
      ItemsSketch<String> wide,
      Held held,
      byte[] bytes) {
    this.distinct = distinct;
    this.ips = ips;
    this.prefixes = prefixes;
    this.wide = wide;
    this.held = held;
    this.bytes = bytes;
  }

  /**
   * Addresses counted exactly and not sketched yet, as an accumulator of canonical addresses held
   * them: IPv4 ones by value (with the text of one request), the others by text. Immutable.
   */
  private record Held(
      int[] v4, String[] v4Texts, long[] v4Counts, String[] texts, long[] counts, long total) {
    int size() {
      return v4.length + texts.length;
    }
  }

  /** One entry of {@link #topIps} or {@link #topPrefixes}: the true count is within the bounds. */
  public record HeavyHitter(String item, long estimate, long lowerBound, long upperBound) {}

  public static SourceIpSketch empty() {
    return EMPTY;
  }

  /** A new, empty accumulator for the ingest path. */
  public static Accumulator accumulator() {
    return new Accumulator(false, Accumulator.FLUSH_AT);
  }

  /**
   * A new, empty accumulator of addresses known to be canonical IP literals with IPv4-mapped ones
   * folded ({@code CaptureRecord.srcIp} through {@link #foldV4Mapped}): they are not parsed again.
   * Up to {@code heldExactly} distinct addresses are counted exactly before they are sketched, so
   * an address that comes again meanwhile costs one table lookup.
   */
  public static Accumulator accumulatorOfCanonical(int heldExactly) {
    if (heldExactly < 16) {
      throw new IllegalArgumentException("hold at least 16 addresses exactly: " + heldExactly);
    }
    return new Accumulator(true, heldExactly);
  }

  /**
   * The union of this and {@code other}: the distinct count of both, the heavy hitters of both
   * (counts added, bounds as the sketches guarantee). Neither operand changes.
   */
  public SourceIpSketch merge(SourceIpSketch other) {
    return mergeAll(List.of(this, other));
  }

  /**
   * All of {@code sketches} merged in one union (not one copy per merge); nulls are skipped.
   * Addresses the operands hold exactly are added up in one exact table, up to {@value
   * #MERGE_HELD_EXACTLY} of them, before they are sketched.
   */
  public static SourceIpSketch mergeAll(List<SourceIpSketch> sketches) {
    SourceIpSketch only = EMPTY;
    Accumulator acc = null;
    for (SourceIpSketch s : sketches) {
      if (s == null || s.isEmpty()) {
        continue;
      }
      if (acc == null && only.isEmpty()) {
        only = s;
        continue;
      }
      if (acc == null) {
        acc = new Accumulator(true, MERGE_HELD_EXACTLY);
        acc.addAll(only);
      }
      acc.addAll(s);
    }
    return acc == null ? only : acc.build();
  }

  /**
   * This sketch with every address in its sketches: the same answers, the form to keep for long (a
   * sketch fresh from ingest may hold thousands of addresses exactly). Computed once.
   */
  public SourceIpSketch compacted() {
    if (held == null) {
      return this;
    }
    SourceIpSketch c = compacted;
    if (c == null) {
      Accumulator acc = new Accumulator(true, MERGE_HELD_EXACTLY);
      acc.addAll(this);
      acc.flush();
      c = acc.build();
      compacted = c;
    }
    return c;
  }

  public boolean isEmpty() {
    return held == null && (ips == null || ips.isEmpty());
  }

  /** The number of requests counted (exact). */
  public long count() {
    return (ips == null ? 0 : ips.getStreamLength()) + (held == null ? 0 : held.total());
  }

  /** The estimated number of distinct source addresses; see {@link #DISTINCT_RELATIVE_ERROR}. */
  public double distinctEstimate() {
    return compacted().distinct.getEstimate();
  }

  /** A lower bound of the distinct count at 1, 2 or 3 standard deviations. */
  public double distinctLowerBound(int numStdDev) {
    return compacted().distinct.getLowerBound(numStdDev);
  }

  /** An upper bound of the distinct count at 1, 2 or 3 standard deviations. */
  public double distinctUpperBound(int numStdDev) {
    return compacted().distinct.getUpperBound(numStdDev);
  }

  /**
   * The at most {@code k} addresses with the highest estimated counts, highest first. Counts below
   * {@link #maximumIpError()} may be noise. While a sketch fresh from ingest holds all of its
   * addresses exactly (a batch's, for admission), the counts are exact: estimate and bounds equal.
   */
  public List<HeavyHitter> topIps(int k) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0: " + k);
    }
    return ips == null && held != null ? topHeld(k) : top(compacted().ips, k);
  }

  /** Like {@link #topIps}, for networks as {@link #prefixOf} names them. */
  public List<HeavyHitter> topPrefixes(int k) {
    return top(compacted().prefixes, k);
  }

  /** The widest possible gap between an address's estimated and true count. */
  public long maximumIpError() {
    return ips == null && held != null ? 0 : compacted().ips.getMaximumError();
  }

  /** The widest possible gap between a network's estimated and true count. */
  public long maximumPrefixError() {
    return compacted().prefixes.getMaximumError();
  }

  /**
   * Like {@link #topPrefixes}, for wide networks as {@link #wideNetworkOf} names them ({@code /16}
   * for IPv4, {@code /32} for IPv6): where traffic spread over many addresses and {@code /24}s
   * comes from. Empty for sketches stored before they were kept.
   */
  public List<HeavyHitter> topWideNetworks(int k) {
    return top(compacted().wide, k);
  }

  /**
   * The wide network of a network as {@link #prefixOf} names it: {@code a.b.0.0/16} of {@code
   * a.b.c.0/24}, {@code g0:g1::/32} of an IPv6 {@code /64}.
   */
  public static String wideNetworkOf(String network) {
    if (network.indexOf(':') < 0) {
      int second = network.indexOf('.', network.indexOf('.') + 1);
      return network.substring(0, second) + ".0.0/16";
    }
    // a canonical /64 prefix ends in its zero groups, so "::" closes it: the groups before it are
    // the first ones, and those it leaves out are zero
    int[] groups = new int[2];
    String address = network.substring(0, network.indexOf('/'));
    int gap = address.indexOf("::");
    fill(gap < 0 ? address : address.substring(0, gap), groups, 0);
    return IpAddresses.canonical(
            Integer.toHexString(groups[0]) + ":" + Integer.toHexString(groups[1]) + "::")
        + "/32";
  }

  /** The number of addresses held exactly, not sketched yet (for tests). */
  int heldExactly() {
    return held == null ? 0 : held.size();
  }

  /**
   * {@link #topIps} of a sketch that holds every address exactly: the addresses whose counts reach
   * the k-th highest, ordered and cut to k (only they become objects).
   */
  private List<HeavyHitter> topHeld(int k) {
    if (k == 0) {
      return List.of();
    }
    long[] all = new long[held.size()];
    System.arraycopy(held.v4Counts(), 0, all, 0, held.v4().length);
    System.arraycopy(held.counts(), 0, all, held.v4().length, held.texts().length);
    Arrays.sort(all);
    long least = all[Math.max(0, all.length - k)];
    List<HeavyHitter> top = new ArrayList<>(k + 1);
    for (int i = 0; i < held.v4().length; i++) {
      long n = held.v4Counts()[i];
      if (n >= least) {
        top.add(new HeavyHitter(held.v4Texts()[i], n, n, n));
      }
    }
    for (int i = 0; i < held.texts().length; i++) {
      long n = held.counts()[i];
      if (n >= least) {
        top.add(new HeavyHitter(held.texts()[i], n, n, n));
      }
    }
    top.sort(BY_ESTIMATE);
    return List.copyOf(top.subList(0, Math.min(k, top.size())));
  }

  /**
   * The network of an IP literal: {@code a.b.c.0/24} for IPv4 (and IPv4-mapped IPv6), the canonical
   * {@code /64} prefix for IPv6 ({@code 2001:db8:1:2::/64}).
   *
   * @throws IllegalArgumentException if {@code ip} is not an IP literal
   */
  public static String prefixOf(String ip) {
    String canonical = IpAddresses.canonical(ip);
    if (canonical == null) {
      throw new IllegalArgumentException("not an IP literal: " + ip);
    }
    return prefixOfCanonical(foldV4Mapped(canonical));
  }

  /**
   * A canonical IP literal with an IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) folded to its
   * IPv4 form, so one client is one key whichever way its gateway wrote it.
   */
  public static String foldV4Mapped(String ip) {
    return ip.startsWith(V4_MAPPED) && ip.indexOf('.') > 0 ? ip.substring(V4_MAPPED.length()) : ip;
  }

  /**
   * The 32-bit value of a canonical IPv4 literal ({@code a.b.c.d}, no leading zeros), or -1 for
   * anything else (IPv6, not an IP literal).
   */
  static long v4Value(String ip) {
    int n = ip.length();
    if (n < 7 || n > 15) {
      return -1;
    }
    long value = 0;
    int octet = 0;
    int digits = 0;
    int dots = 0;
    for (int i = 0; i < n; i++) {
      char ch = ip.charAt(i);
      if (ch == '.') {
        if (digits == 0 || ++dots > 3) {
          return -1;
        }
        value = value << 8 | octet;
        octet = 0;
        digits = 0;
      } else if (ch >= '0' && ch <= '9' && digits < 3) {
        octet = octet * 10 + (ch - '0');
        if (octet > 255) {
          return -1;
        }
        digits++;
      } else {
        return -1;
      }
    }
    return dots == 3 && digits > 0 ? value << 8 | octet : -1;
  }

  /** {@link #prefixOf} of a canonical literal that is not IPv4-mapped. */
  private static String prefixOfCanonical(String ip) {
    if (ip.indexOf(':') < 0) {
      return ip.substring(0, ip.lastIndexOf('.')) + ".0/24";
    }
    // Canonical IPv6: at most one "::", hex groups. Keep the first four groups, zero the rest.
    int[] groups = new int[4];
    int gap = ip.indexOf("::");
    String head = gap < 0 ? ip : ip.substring(0, gap);
    int n = fill(head, groups, 0);
    if (gap >= 0 && n < 4) {
      // the groups after "::" end the address; those that fall in the first four follow the gap
      String tail = ip.substring(gap + 2);
      int tailCount = tail.isEmpty() ? 0 : (int) tail.chars().filter(c -> c == ':').count() + 1;
      int firstTail = 8 - tailCount;
      if (firstTail < 4) {
        int[] tailGroups = new int[tailCount];
        fill(tail, tailGroups, 0);
        for (int i = firstTail; i < 4; i++) {
          groups[i] = tailGroups[i - firstTail];
        }
      }
    }
    StringBuilder sb = new StringBuilder(24);
    for (int i = 0; i < 4; i++) {
      sb.append(Integer.toHexString(groups[i])).append(':');
    }
    // "g0:g1:g2:g3::" read back in canonical (RFC 5952) form
    return IpAddresses.canonical(sb.append(':').toString()) + "/64";
  }

  /** Parses up to {@code out.length} hex groups of {@code s} into {@code out}; returns how many. */
  private static int fill(String s, int[] out, int from) {
    int n = from;
    int value = 0;
    boolean any = false;
    for (int i = 0; i < s.length() && n < out.length; i++) {
      char c = s.charAt(i);
      if (c == ':') {
        out[n++] = value;
        value = 0;
        any = false;
      } else {
        value = (value << 4) | Character.digit(c, 16);
        any = true;
      }
    }
    if (any && n < out.length) {
      out[n++] = value;
    }
    return n;
  }

  private static List<HeavyHitter> top(ItemsSketch<String> sketch, int k) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0: " + k);
    }
    if (k == 0 || sketch.isEmpty()) {
      return List.of();
    }
    // NO_FALSE_NEGATIVES at the maximum error: every item the sketch keeps
    ItemsSketch.Row<String>[] rows = sketch.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
    List<HeavyHitter> all = new ArrayList<>(rows.length);
    for (ItemsSketch.Row<String> row : rows) {
      all.add(
          new HeavyHitter(
              row.getItem(), row.getEstimate(), row.getLowerBound(), row.getUpperBound()));
    }
    all.sort(BY_ESTIMATE);
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  private static HllSketch newHll() {
    return new HllSketch(LG_K, HLL_TYPE);
  }

  private static ItemsSketch<String> newItems() {
    return new ItemsSketch<>(MAX_MAP_SIZE);
  }

  @JsonValue
  public byte[] toBytes() {
    byte[] b = bytes;
    if (b == null) {
      b = encode();
      bytes = b;
    }
    return b.clone();
  }

  private byte[] encode() {
    if (held != null) {
      return compacted().serialForm();
    }
    byte[] hll = distinct.copyAs(STORED_HLL_TYPE).toCompactByteArray();
    byte[] ipBytes = ips.toByteArray(SERDE);
    byte[] prefixBytes = prefixes.toByteArray(SERDE);
    byte[] wideBytes = wide.toByteArray(SERDE);
    byte[] out =
        new byte[1 + 15 + hll.length + ipBytes.length + prefixBytes.length + wideBytes.length];
    out[0] = FORMAT_VERSION;
    int at = 1;
    at = putVarint(out, at, hll.length);
    System.arraycopy(hll, 0, out, at, hll.length);
    at += hll.length;
    at = putVarint(out, at, ipBytes.length);
    System.arraycopy(ipBytes, 0, out, at, ipBytes.length);
    at += ipBytes.length;
    at = putVarint(out, at, prefixBytes.length);
    System.arraycopy(prefixBytes, 0, out, at, prefixBytes.length);
    at += prefixBytes.length;
    System.arraycopy(wideBytes, 0, out, at, wideBytes.length);
    return Arrays.copyOf(out, at + wideBytes.length);
  }

  private static int putVarint(byte[] out, int at, int value) {
    while ((value & ~0x7f) != 0) {
      out[at++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out[at++] = (byte) value;
    return at;
  }

  /**
   * Reads {@link #toBytes()}.
   *
   * @throws IllegalArgumentException if {@code bytes} are not a sketch of a known format
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static SourceIpSketch fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("corrupt source IP sketch: no bytes");
    }
    if (bytes[0] != FORMAT_VERSION && bytes[0] != FORMAT_VERSION_1) {
      throw new IllegalArgumentException(
          "source IP sketch of unknown format version " + (bytes[0] & 0xff));
    }
    if (bytes.length == 1) {
      return EMPTY;
    }
    try {
      int[] at = {1};
      int hllLength = readVarint(bytes, at);
      HllSketch hll = HllSketch.heapify(region(bytes, at, hllLength));
      int ipLength = readVarint(bytes, at);
      ItemsSketch<String> ips =
          ItemsSketch.getInstance(Memory.wrap(region(bytes, at, ipLength)), SERDE);
      if (bytes[0] == FORMAT_VERSION_1) { // no wide networks yet
        ItemsSketch<String> prefixes =
            ItemsSketch.getInstance(Memory.wrap(region(bytes, at, bytes.length - at[0])), SERDE);
        return new SourceIpSketch(hll, ips, prefixes, newItems(), null, bytes.clone());
      }
      int prefixLength = readVarint(bytes, at);
      ItemsSketch<String> prefixes =
          ItemsSketch.getInstance(Memory.wrap(region(bytes, at, prefixLength)), SERDE);
      ItemsSketch<String> wide =
          ItemsSketch.getInstance(Memory.wrap(region(bytes, at, bytes.length - at[0])), SERDE);
      return new SourceIpSketch(hll, ips, prefixes, wide, null, bytes.clone());
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) { // SketchesException, or an index out of bounds
      throw new IllegalArgumentException("corrupt source IP sketch", e);
    }
  }

  private static int readVarint(byte[] bytes, int[] at) {
    int value = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      if (at[0] >= bytes.length) {
        throw new IllegalArgumentException("corrupt source IP sketch: truncated");
      }
      byte b = bytes[at[0]++];
      value |= (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("corrupt source IP sketch: bad length");
  }

  /**
   * A copy of the next {@code length} bytes. (A copy, not a {@code Memory} region of the whole
   * array: datasketches-java 6.0.0's HLL heapify reads such a region from the array's start.)
   */
  private static byte[] region(byte[] bytes, int[] at, int length) {
    if (length < 0 || length > bytes.length - at[0]) {
      throw new IllegalArgumentException("corrupt source IP sketch: truncated");
    }
    byte[] region = Arrays.copyOfRange(bytes, at[0], at[0] + length);
    at[0] += length;
    return region;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceIpSketch other
        && (this == other || Arrays.equals(serialForm(), other.serialForm()));
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(serialForm());
  }

  private byte[] serialForm() {
    byte[] b = bytes;
    if (b == null) {
      b = encode();
      bytes = b;
    }
    return b;
  }

  @Override
  public String toString() {
    if (isEmpty()) {
      return "SourceIpSketch[empty]";
    }
    return String.format(
        "SourceIpSketch[n=%d, distinct~%.0f, topIps=%s, topPrefixes=%s]",
        count(), distinctEstimate(), topIps(3), topPrefixes(3));
  }

  /**
   * Collects the source addresses of the requests of one batch or window, on the ingest path; not
   * thread-safe. {@link #add} only counts in a small exact table (one hash lookup); the sketches
   * are fed once per distinct address, when the table holds its limit of addresses ({@value
   * #FLUSH_AT} by default) and at {@link #build()}, so memory stays bounded whatever the traffic.
   *
   * <p>An accumulator of canonical addresses ({@link #accumulatorOfCanonical}) keys IPv4 addresses
   * by their 32-bit value in a table of its own: no text is compared or hashed per request, and the
   * sketches get the value (HLL) and the text of the address's first request (frequent items).
   */
  public static final class Accumulator {
    /** Distinct addresses held exactly before they go into the sketches. */
    static final int FLUSH_AT = 512;

    private static final int INITIAL_SLOTS = 16;
    private static final int PREFIX_CACHE = 64;

    private final boolean canonical;
    private final int flushAt;

    // IPv4 addresses of a canonical accumulator, open addressing: a slot is free while its count
    // is 0; the text is that of the address's first request
    private int[] v4Keys;
    private long[] v4Counts;
    private String[] v4Texts;
    private int v4Size;

    // every other address, by its text
    private String[] keys;
    private long[] counts;
    private int size;

    private HllSketch distinct;
    private ItemsSketch<String> ips;
    private ItemsSketch<String> prefixes;
    private ItemsSketch<String> wide;
    private Union union; // of the sketches merged in (addAll), made at the first
    private final int[] prefixNets = new int[PREFIX_CACHE];
    private final String[] prefixNames = new String[PREFIX_CACHE];

    private Accumulator(boolean canonical, int flushAt) {
      this.canonical = canonical;
      this.flushAt = flushAt;
      newTables();
    }

    private void newTables() {
      // one meant for many addresses skips the first few doublings (a batch's share of a busy
      // endpoint comes from hundreds to thousands of addresses)
      int slots = flushAt >= 4096 ? (canonical ? 1024 : 256) : INITIAL_SLOTS;
      keys = new String[canonical ? INITIAL_SLOTS : slots];
      counts = new long[keys.length];
      size = 0;
      if (canonical) {
        v4Keys = new int[slots];
        v4Counts = new long[slots];
        v4Texts = new String[slots];
        v4Size = 0;
      }
    }

    /**
     * Adds everything {@code sketch} counted: its sketches merge into this one's, the addresses it
     * holds exactly are counted here. Only for an accumulator of canonical addresses.
     */
    private void addAll(SourceIpSketch sketch) {
      if (sketch.ips != null && !sketch.ips.isEmpty()) {
        startSketches();
        if (union == null) {
          union = new Union(LG_K);
        }
        union.update(sketch.distinct);
        ips.merge(sketch.ips);
        prefixes.merge(sketch.prefixes);
        wide.merge(sketch.wide);
      }
      Held h = sketch.held;
      if (h != null) {
        for (int i = 0; i < h.v4().length; i++) {
          addV4(h.v4()[i], h.v4Texts()[i], h.v4Counts()[i]);
        }
        for (int i = 0; i < h.texts().length; i++) {
          addText(h.texts()[i], h.counts()[i]);
        }
      }
    }

    private void startSketches() {
      if (distinct == null) {
        distinct = newHll();
        ips = newItems();
        prefixes = newItems();
        wide = newItems();
      }
    }

    /** Counts one request from {@code canonicalIp}; see {@link #add(String, long)}. */
    public void add(String canonicalIp) {
      add(canonicalIp, 1);
    }

    /**
     * Counts {@code count} requests from {@code canonicalIp}, a canonical literal as {@code
     * CaptureRecord.srcIp} holds it ({@link IpAddresses#canonical}). Another form of a literal is
     * canonicalized when it goes into the sketches (it only takes a slot of its own in the exact
     * table); text that is no IP literal is counted as an address of its own, in no network.
     *
     * @throws IllegalArgumentException if {@code count} is negative or the text longer than any IP
     *     literal
     */
    public void add(String canonicalIp, long count) {
      if (count <= 0 || canonicalIp.length() > MAX_IP_LENGTH) {
        if (count == 0) {
          return;
        }
        throw new IllegalArgumentException(
            count < 0
                ? "count must be >= 0: " + count
                : "not an IP literal (too long): " + canonicalIp.length() + " chars");
      }
      long v4 = canonical ? v4Value(canonicalIp) : -1;
      if (v4 >= 0) {
        addV4((int) v4, canonicalIp, count);
      } else {
        addText(canonicalIp, count);
      }
    }

    private void addV4(int value, String text, long count) {
      int[] k = v4Keys;
      long[] c = v4Counts;
      int mask = k.length - 1;
      int i = v4Slot(value, k.length);
      while (c[i] != 0) {
        if (k[i] == value) {
          c[i] += count;
          return;
        }
        i = (i + 1) & mask;
      }
      k[i] = value;
      c[i] = count;
      v4Texts[i] = text;
      if (++v4Size + size >= flushAt) {
        flush();
      } else if (v4Size * 2 > k.length) {
        growV4();
      }
    }

    private void addText(String ip, long count) {
      String[] k = keys;
      int mask = k.length - 1;
      int h = ip.hashCode();
      int i = (h ^ (h >>> 16)) & mask;
      String key;
      while ((key = k[i]) != null) {
        if (key.equals(ip)) {
          counts[i] += count;
          return;
        }
        i = (i + 1) & mask;
      }
      k[i] = ip;
      counts[i] = count;
      if (v4Size + ++size >= flushAt) {
        flush();
      } else if (size * 2 > k.length) {
        growText();
      }
    }

    /**
     * The home slot of an IPv4 value in a table of {@code slots} (a power of two): the top bits of
     * its Fibonacci hash, so the addresses of one /24 spread over the whole table at any size.
     */
    private static int v4Slot(int value, int slots) {
      return (value * 0x9E3779B9) >>> Integer.numberOfLeadingZeros(slots - 1);
    }

    private void growV4() {
      int[] oldKeys = v4Keys;
      long[] oldCounts = v4Counts;
      String[] oldTexts = v4Texts;
      v4Keys = new int[oldKeys.length * 2];
      v4Counts = new long[oldKeys.length * 2];
      v4Texts = new String[oldKeys.length * 2];
      int mask = v4Keys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        if (oldCounts[j] != 0) {
          int i = v4Slot(oldKeys[j], v4Keys.length);
          while (v4Counts[i] != 0) {
            i = (i + 1) & mask;
          }
          v4Keys[i] = oldKeys[j];
          v4Counts[i] = oldCounts[j];
          v4Texts[i] = oldTexts[j];
        }
      }
    }

    private void growText() {
      String[] oldKeys = keys;
      long[] oldCounts = counts;
      keys = new String[oldKeys.length * 2];
      counts = new long[oldKeys.length * 2];
      int mask = keys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        String key = oldKeys[j];
        if (key != null) {
          int h = key.hashCode();
          int i = (h ^ (h >>> 16)) & mask;
          while (keys[i] != null) {
            i = (i + 1) & mask;
          }
          keys[i] = key;
          counts[i] = oldCounts[j];
        }
      }
    }

    private void flush() {
      if (size + v4Size == 0) {
        return;
      }
      startSketches();
      // networks repeat far more than addresses: counted here, sketched once each below
      Map<String, long[]> networks = new HashMap<>();
      if (v4Size > 0) {
        int[] k = v4Keys;
        long[] c = v4Counts;
        String[] t = v4Texts;
        for (int j = 0; j < k.length; j++) {
          if (c[j] != 0) {
            long v4 = k[j] & 0xFFFFFFFFL;
            distinct.update(v4); // its 32-bit value: hashed without encoding text
            ips.update(t[j], c[j]);
            networks.computeIfAbsent(v4Prefix(v4), n -> new long[1])[0] += c[j];
            c[j] = 0;
            t[j] = null;
          }
        }
        v4Size = 0;
      }
      String[] k = keys;
      long[] c = counts;
      for (int j = 0; j < k.length && size > 0; j++) {
        String text = k[j];
        if (text != null) {
          k[j] = null;
          size--;
          String ip = canonical ? text : IpAddresses.canonical(text); // same instance for IPv4
          if (ip == null) {
            distinct.update(text); // no IP literal: an address of its own, in no network
            ips.update(text, c[j]);
            continue;
          }
          ip = canonical ? ip : foldV4Mapped(ip);
          long v4 = canonical ? -1 : v4Value(ip); // a canonical one's IPv4 is in the v4 table
          ips.update(ip, c[j]);
          String network;
          if (v4 >= 0) {
            distinct.update(v4);
            network = v4Prefix(v4);
          } else {
            distinct.update(ip);
            network = prefixOfCanonical(ip);
          }
          networks.computeIfAbsent(network, n -> new long[1])[0] += c[j];
        }
      }
      size = 0;
      Map<String, long[]> wideNetworks = new HashMap<>();
      networks.forEach(
          (network, n) -> {
            prefixes.update(network, n[0]);
            wideNetworks.computeIfAbsent(wideNetworkOf(network), w -> new long[1])[0] += n[0];
          });
      wideNetworks.forEach((network, n) -> wide.update(network, n[0]));
    }

    /** The {@code a.b.c.0/24} of an IPv4 value, from a small cache of recent networks. */
    private String v4Prefix(long v4) {
      int net = (int) (v4 >>> 8);
      int slot = (net ^ (net >>> 8) ^ (net >>> 16)) & (PREFIX_CACHE - 1);
      if (prefixNets[slot] == net && prefixNames[slot] != null) {
        return prefixNames[slot];
      }
      String name = (net >>> 16) + "." + ((net >>> 8) & 255) + "." + (net & 255) + ".0/24";
      prefixNets[slot] = net;
      prefixNames[slot] = name;
      return name;
    }

    /**
     * The sketch of everything added since the accumulator was made or last built; the accumulator
     * starts over empty (it hands its sketches over instead of copying them). One of canonical
     * addresses hands over the addresses it holds exactly as they are: they are sketched when the
     * sketch is merged with many others, asked for estimates or serialized ({@link #compacted}),
     * which a batch's sketch mostly never is.
     */
    public SourceIpSketch build() {
      if (!canonical) {
        flush();
      }
      Held h = v4Size + size == 0 ? null : held();
      HllSketch hll = distinct;
      if (union != null) {
        union.update(distinct);
        hll = union.getResult(HLL_TYPE);
      }
      SourceIpSketch built =
          hll == null && h == null ? EMPTY : new SourceIpSketch(hll, ips, prefixes, wide, h, null);
      distinct = null;
      ips = null;
      prefixes = null;
      wide = null;
      union = null;
      if (h != null) {
        newTables();
      }
      return built;
    }

    /** The addresses in the tables, compact. */
    private Held held() {
      int[] v4 = new int[v4Size];
      String[] v4Texts = new String[v4Size];
      long[] v4Counts = new long[v4Size];
      long total = 0;
      for (int j = 0, n = 0; n < v4Size; j++) {
        if (this.v4Counts[j] != 0) {
          v4[n] = v4Keys[j];
          v4Texts[n] = this.v4Texts[j];
          v4Counts[n] = this.v4Counts[j];
          total += v4Counts[n++];
        }
      }
      String[] texts = new String[size];
      long[] textCounts = new long[size];
      for (int j = 0, n = 0; n < size; j++) {
        if (keys[j] != null) {
          texts[n] = keys[j];
          textCounts[n] = counts[j];
          total += textCounts[n++];
        }
      }
      return new Held(v4, v4Texts, v4Counts, texts, textCounts, total);
    }
  }
}
