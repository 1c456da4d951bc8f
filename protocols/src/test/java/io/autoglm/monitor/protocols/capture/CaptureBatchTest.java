package io.autoglm.monitor.protocols.capture;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureBatchTest {

  static final CaptureRecord R = CaptureRecord.of(1767225600000L, "/v1/x", 200, 1, "10.0.0.1");

  @Test
  void acceptsValidEnvelopesAndCopiesTheRecords() {
    List<CaptureRecord> list = new ArrayList<>(List.of(R));
    CaptureBatch b = new CaptureBatch("edge-01.gw:eu_1", 0, 0, list);
    list.add(R);
    assertEquals(1, b.size(), "later changes to the caller's list do not leak in");
    assertThrows(UnsupportedOperationException.class, () -> b.records().add(R));
    assertEquals(0, new CaptureBatch("a".repeat(128), 1, 2, List.of()).size());
  }

  @Test
  void rejectsInvalidEnvelopesNamingTheField() {
    Object[][] cases = {
      {"agentId", null, 0L, 0L, List.of()},
      {"agentId", "", 0L, 0L, List.of()},
      {"agentId", "  ", 0L, 0L, List.of()},
      {"agentId", "edge 1", 0L, 0L, List.of()},
      {"agentId", "edge/1", 0L, 0L, List.of()},
      {"agentId", "a".repeat(129), 0L, 0L, List.of()},
      {"epoch", "edge-1", -1L, 0L, List.of()},
      {"seq", "edge-1", 0L, -1L, List.of()},
      {"records", "edge-1", 0L, 0L, null},
      {"records", "edge-1", 0L, 0L, Arrays.asList(R, null)},
    };
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      List<CaptureRecord> records = (List<CaptureRecord>) c[4];
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new CaptureBatch((String) c[1], (Long) c[2], (Long) c[3], records));
      assertTrue(e.getMessage().startsWith("field '" + c[0] + "'"), e.getMessage());
    }
  }
}
