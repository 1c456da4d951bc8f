package io.autoglm.monitor.protocols.capture;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one builder of test traffic (test-jar of protocols): the entity tests aggregate it, the node
 * tests send it as NDJSON. Second {@code s} after {@link #T0} holds {@code perSecond} records
 * spread evenly over it; the first {@code round(perSecond * errorShare)} of each second answered
 * 500, the rest 200; record {@code i} of a second comes from {@code 10.1.0.(i % 200 + 1)}.
 */
public final class TestRecords {
  /** 2026-01-01T00:00:00Z, a window boundary. */
  public static final long T0 = 1_767_225_600_000L;

  private TestRecords() {}

  /** Traffic over seconds [fromSec, toSec) after T0; record i of a second took 120 + i % 50 ms. */
  public static List<CaptureRecord> traffic(
      String path, int fromSec, int toSec, int perSecond, double errorShare) {
    return traffic(path, fromSec, toSec, perSecond, errorShare, -1);
  }

  /** As {@link #traffic(String, int, int, int, double)}, every request taking {@code latencyMs}. */
  public static List<CaptureRecord> traffic(
      String path, int fromSec, int toSec, int perSecond, double errorShare, double latencyMs) {
    List<CaptureRecord> records = new ArrayList<>();
    int errors = (int) Math.round(perSecond * errorShare);
    for (int s = fromSec; s < toSec; s++) {
      for (int i = 0; i < perSecond; i++) {
        long ts = T0 + s * 1000L + i * (1000L / perSecond);
        records.add(
            CaptureRecord.of(
                ts,
                path,
                i < errors ? 500 : 200,
                latencyMs >= 0 ? latencyMs : 120.0 + i % 50,
                "10.1.0." + (i % 200 + 1)));
      }
    }
    return records;
  }

  /** The records as NDJSON, one line each. */
  public static byte[] ndjson(List<CaptureRecord> records) {
    StringBuilder sb = new StringBuilder();
    for (CaptureRecord r : records) {
      sb.append(CaptureCodec.encode(r)).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
