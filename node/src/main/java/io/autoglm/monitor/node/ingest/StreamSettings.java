package io.autoglm.monitor.node.ingest;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code autoglm.ingest.stream}: limits and pacing of the agent stream.
 *
 * @param maxFrameBytes largest batch frame; a larger one ends the stream with an error
 * @param maxBatchRecords most records in one batch frame
 * @param flushInterval how long batches are gathered before they go to the entities (the "tick")
 * @param maxRecordsPerFlush a tick ends early once it holds this many records
 * @param decodeParallelism frames of one connection decoded at once (0 in the config: one per core)
 */
public record StreamSettings(
    int maxFrameBytes,
    int maxBatchRecords,
    Duration flushInterval,
    int maxRecordsPerFlush,
    int decodeParallelism) {

  public static StreamSettings fromConfig(Config root) {
    Config c = root.getConfig("autoglm.ingest.stream");
    return new StreamSettings(
        (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-frame-bytes")),
        c.getInt("max-batch-records"),
        c.getDuration("flush-interval"),
        c.getInt("max-records-per-flush"),
        c.getInt("decode-parallelism") > 0
            ? c.getInt("decode-parallelism")
            : Runtime.getRuntime().availableProcessors());
  }
}
