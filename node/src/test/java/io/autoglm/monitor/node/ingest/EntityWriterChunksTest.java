package io.autoglm.monitor.node.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.sharding.stats.BatchPart;
import io.autoglm.monitor.sharding.stats.EndpointDelta;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A write of many batches reaches each entity in messages of at most {@link
 * EntityWriter#MAX_PANES_PER_MESSAGE} panes: one message of a stream's catch-up outgrew what the
 * cluster transport carries to another node and was dropped on every attempt.
 */
class EntityWriterChunksTest {
  private static final EndpointKey A = new EndpointKey("svc", "/a");
  private static final EndpointKey B = new EndpointKey("svc", "/b");

  // only chunkEnds is used: it needs none of the writer's collaborators for endpoint parts
  private final EntityWriter writer =
      new EntityWriter(
          (io.autoglm.monitor.sharding.EntityRefs) null,
          null,
          null,
          null,
          Duration.ofSeconds(1),
          null);

  private static EntityWriter.Batch batch(long seq, Map<EndpointKey, Integer> panes) {
    List<EndpointDelta> deltas = new ArrayList<>();
    panes.forEach(
        (key, n) -> {
          List<WindowStats> windows =
              IntStream.range(0, n)
                  .mapToObj(i -> WindowStats.empty(i * 1000L, i * 1000L + 1000))
                  .toList();
          deltas.add(
              new EndpointDelta(
                  key, List.of(new BatchPart("gw", 1, seq, windows, n, 0, n * 1000L))));
        });
    return new EntityWriter.Batch(seq, null, deltas, List.of(), List.of(), Map.of(), "gw#1");
  }

  @Test
  void aTickOfOrdinarySizeIsOneMessage() {
    List<EntityWriter.Batch> batches =
        List.of(batch(1, Map.of(A, 2, B, 1)), batch(2, Map.of(A, 2, B, 1)));
    assertEquals(List.of(2), writer.chunkEnds(batches));
  }

  @Test
  void aCatchUpIsCutWhereAnEndpointWouldPassTheLimit() {
    int perBatch = 2;
    int batchesPerChunk = EntityWriter.MAX_PANES_PER_MESSAGE / perBatch;
    List<EntityWriter.Batch> batches = new ArrayList<>();
    for (int seq = 1; seq <= 480; seq++) {
      // A has 2 panes a batch, B 1: A decides the cuts
      batches.add(batch(seq, Map.of(A, perBatch, B, 1)));
    }
    List<Integer> ends = writer.chunkEnds(batches);
    assertEquals(480, ends.get(ends.size() - 1));
    int from = 0;
    for (int end : ends) {
      int panesOfA = (end - from) * perBatch;
      assertTrue(panesOfA <= EntityWriter.MAX_PANES_PER_MESSAGE, "chunk " + from + ".." + end);
      from = end;
    }
    assertEquals((480 + batchesPerChunk - 1) / batchesPerChunk, ends.size());
  }

  @Test
  void aSingleBatchOverTheLimitIsAChunkOfItsOwn() {
    List<EntityWriter.Batch> batches =
        List.of(
            batch(1, Map.of(A, 1)),
            batch(2, Map.of(A, EntityWriter.MAX_PANES_PER_MESSAGE + 5)),
            batch(3, Map.of(A, 1)));
    assertEquals(List.of(1, 2, 3), writer.chunkEnds(batches));
  }
}
