package io.autoglm.monitor.persistence.stats;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * An immutable latency distribution: a DDSketch with 1% relative accuracy on every quantile and at
 * most {@value #MAX_BINS} bins (about 16 KB worst case, a few hundred bytes for a typical window).
 *
 * <p>Why DDSketch rather than HdrHistogram: LLM latencies span from a millisecond ({@code
 * /v1/models}) to minutes (long generations); DDSketch keeps the same relative error over that
 * whole range with a small, sparse encoding, and sketches merge exactly, so per-tick deltas from
 * ingest merge into entity windows without loss. HdrHistogram needs its range fixed up front and
 * serializes larger.
 *
 * <p>Persisted as its protobuf-compatible DDSketch encoding.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public final class LatencySketch {
  public static final double RELATIVE_ACCURACY = 0.01;
  public static final int MAX_BINS = 2048;
  private static final LatencySketch EMPTY = new LatencySketch(newMutableSketch());

  private final DDSketch sketch;

  private LatencySketch(DDSketch sketch) {
    this.sketch = sketch;
  }

  public static LatencySketch empty() {
    return EMPTY;
  }

  /** A mutable sketch for accumulating; hand it to {@link #wrap} when done, then stop using it. */
  public static DDSketch newMutableSketch() {
    return DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);
  }

  /** A sketch of {@code values} (tests, examples). */
  public static LatencySketch of(double... values) {
    DDSketch sketch = newMutableSketch();
    for (double v : values) {
      sketch.accept(v);
    }
    return wrap(sketch);
  }

  /** Takes ownership of {@code sketch}: the caller must not change it afterwards. */
  public static LatencySketch wrap(DDSketch sketch) {
    return new LatencySketch(sketch);
  }

  public LatencySketch merge(LatencySketch other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    DDSketch merged = sketch.copy();
    merged.mergeWith(other.sketch);
    return new LatencySketch(merged);
  }

  /** All of {@code sketches} merged, copying into one new sketch (not one copy per merge). */
  public static LatencySketch mergeAll(java.util.List<LatencySketch> sketches) {
    DDSketch merged = null;
    LatencySketch only = EMPTY;
    for (LatencySketch s : sketches) {
      if (s.isEmpty()) {
        continue;
      }
      if (merged == null && only.isEmpty()) {
        only = s;
      } else {
        if (merged == null) {
          merged = only.sketch.copy();
        }
        merged.mergeWith(s.sketch);
      }
    }
    return merged == null ? only : new LatencySketch(merged);
  }

  public boolean isEmpty() {
    return sketch.isEmpty();
  }

  public long count() {
    return Math.round(sketch.getCount());
  }

  /**
   * Adds this distribution's counts into fixed buckets (a Prometheus histogram's): {@code
   * counts[i]} gets the values at most {@code upperBounds[i]} and above {@code upperBounds[i - 1]},
   * the last of {@code counts} (one longer than {@code upperBounds}) those above every bound. Each
   * bin goes whole to the bucket of its representative value, so a value within 1% of a bound may
   * land on the other side of it. Costs one step per bin (tens for a typical window), not per
   * value.
   */
  public void addTo(double[] upperBounds, long[] counts) {
    if (counts.length != upperBounds.length + 1) {
      throw new IllegalArgumentException("counts must be one longer than upperBounds");
    }
    if (isEmpty()) {
      return;
    }
    long[] binned = {0};
    sketch
        .getPositiveValueStore()
        .forEach(
            (index, count) -> {
              long n = Math.round(count);
              binned[0] += n;
              counts[bucketOf(upperBounds, sketch.getIndexMapping().value(index))] += n;
            });
    // values at or below the smallest indexable one (0 ms) are in no bin: the first bucket
    counts[0] += Math.max(0, count() - binned[0]);
  }

  private static int bucketOf(double[] upperBounds, double value) {
    int i = Arrays.binarySearch(upperBounds, value);
    return i >= 0 ? i : -i - 1;
  }

  /** The value at quantile {@code q} (0..1), or NaN when empty. */
  public double quantile(double q) {
    return isEmpty() ? Double.NaN : sketch.getValueAtQuantile(q);
  }

  @JsonValue
  public byte[] toBytes() {
    GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
    try {
      sketch.encode(out, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.trimmedCopy();
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static LatencySketch fromBytes(byte[] bytes) {
    DDSketch decoded = newMutableSketch();
    try {
      decoded.decodeAndMergeWith(ByteArrayInput.wrap(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt latency sketch", e);
    }
    return new LatencySketch(decoded);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencySketch other && Arrays.equals(toBytes(), other.toBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }

  @Override
  public String toString() {
    return isEmpty()
        ? "LatencySketch[empty]"
        : String.format(
            "LatencySketch[n=%d, p50=%.1f, p99=%.1f]", count(), quantile(0.5), quantile(0.99));
  }
}
