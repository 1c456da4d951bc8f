package io.autoglm.monitor.node.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.node.ws.RawWebSocket;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureFormatException;
import io.autoglm.monitor.protocols.capture.Newlines;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.BatchFrame;
import io.autoglm.monitor.protocols.wire.StreamReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The agent stream on one WebSocket connection ({@code /api/v1/ingest/stream}): decode and validate
 * each batch frame, gather batches for one flush tick, write one delta per endpoint (with per-batch
 * parts, so replays are dropped) and, once every entity has persisted, answer with a cumulative
 * ack. Backpressure reaches the socket: while a tick is being persisted (one at a time), no further
 * frame is read.
 *
 * <p>Frames: text, a header line {@code {"seq": N}} then NDJSON capture records; or binary, a
 * {@link BatchFrame} (17-byte header with the seq, then NDJSON, optionally gzip). Answers (text):
 * {@code {"type":"ack","seq":N,...}} covering every batch up to N, or {@code
 * {"type":"error","error":...}} just before the node ends the stream.
 */
public final class StreamIngest {
  private final ActorSystem<?> system;
  private final EntityWriter writer;
  private final StreamSettings settings;
  private final IngestCounters counters;
  private final Executor decoding;

  /**
   * @param decoding where frames are decoded and validated (the node's decode dispatcher)
   */
  public StreamIngest(
      ActorSystem<?> system,
      EntityWriter writer,
      StreamSettings settings,
      IngestCounters counters,
      Executor decoding) {
    this.system = system;
    this.writer = writer;
    this.settings = settings;
    this.counters = counters;
    this.decoding = decoding;
  }

  /** What one frame turned into: a batch, or the reason the stream ends. */
  private sealed interface Item {}

  /** A decoded batch; {@code firstError} names the batch and its first rejected line, if any. */
  private record Decoded(EntityWriter.Batch batch, String firstError) implements Item {}

  /** Ends the stream: an error message, then a close frame with {@code closeCode}. */
  private record ProtocolError(String code, String message, int closeCode) implements Item {
    ProtocolError(String code, String message) {
      this(code, message, RawWebSocket.CLOSE_PROTOCOL_ERROR);
    }
  }

  /** A message to send back as it is (a pong). */
  private record Reply(RawWebSocket.Outbound message) implements Item {}

  /** The client closed: answer with a close and end. */
  private record PeerClosed() implements Item {}

  /** A frame's seq and NDJSON records, or why it was refused ({@code error} non-null). */
  /**
   * A frame's batch: its NDJSON is {@code ndjson[offset, ndjson.length)}, whose first line is line
   * {@code firstLine} of the frame (a text frame's header is its line 1).
   */
  private record Frame(long seq, byte[] ndjson, int offset, long firstLine, String error) {
    static Frame refused(String error) {
      return new Frame(-1, null, 0, 0, error);
    }
  }

  /** The largest message a connection may send: a batch frame's header and its largest body. */
  public int maxMessageBytes() {
    return settings.maxFrameBytes() + BatchFrame.HEADER_BYTES;
  }

  /**
   * The stream of one connection (see {@link RawWebSocket}): whole messages in; acks, errors, pongs
   * and the closing {@code Close} out.
   */
  public Flow<RawWebSocket.Inbound, RawWebSocket.Outbound, NotUsed> messageFlow(
      String agentId, long epoch, String defaultService) {
    AtomicLong held = new AtomicLong(); // records of this connection decoded and not yet acked
    return Flow.<RawWebSocket.Inbound>create()
        // decoding and validating is most of the work: spread the frames of one connection
        // over the cores, keeping their order
        .mapAsync(
            settings.decodeParallelism(),
            in ->
                in instanceof RawWebSocket.Data
                    ? CompletableFuture.supplyAsync(
                        () -> toItem(agentId, epoch, defaultService, in), decoding)
                    : CompletableFuture.completedFuture(toItem(agentId, epoch, defaultService, in)))
        .map(item -> hold(held, item))
        .statefulMap(
            () -> new long[] {-1},
            (lastSeq, item) -> Pair.create(lastSeq, checkOrder(lastSeq, item, epoch)),
            lastSeq -> java.util.Optional.empty())
        .takeWhile(item -> !(item instanceof ProtocolError || item instanceof PeerClosed), true)
        .groupedWeightedWithin(
            settings.maxRecordsPerFlush(), StreamIngest::weight, settings.flushInterval())
        // one tick persisting at a time per connection: exactly-once needs a connection's
        // writes to an endpoint to land in order (with two, a tick that timed out, e.g. on a
        // dying node, could be passed by the next one, and its batches' replay would then look
        // like duplicates); while it persists, the node stops reading the socket (backpressure)
        .mapAsync(1, group -> flush(group, held))
        .mapConcat(messages -> messages)
        // a connection that ends early (dropped, failed) leaves nothing counted as held
        .watchTermination(
            (mat, done) -> {
              done.whenComplete((ok, failure) -> release(held, held.get()));
              return mat;
            });
  }

  private Item toItem(String agentId, long epoch, String defaultService, RawWebSocket.Inbound in) {
    if (in instanceof RawWebSocket.Ping ping) {
      return new Reply(new RawWebSocket.Pong(ping.payload()));
    }
    if (in instanceof RawWebSocket.PeerClose) {
      return new PeerClosed();
    }
    if (in instanceof RawWebSocket.Invalid invalid) {
      return new ProtocolError("frame", invalid.reason());
    }
    if (in instanceof RawWebSocket.TooBig big) {
      return new ProtocolError(
          "frame",
          "frame of "
              + big.bytes()
              + " bytes is larger than "
              + settings.maxFrameBytes()
              + " bytes",
          RawWebSocket.CLOSE_TOO_BIG);
    }
    RawWebSocket.Data data = (RawWebSocket.Data) in;
    Frame frame = data.text() ? textFrame(data.payload()) : binaryFrame(data.payload());
    if (frame.error() != null) {
      return new ProtocolError(
          frame.error().startsWith("the first line") ? "header" : "frame",
          frame.error(),
          frame.error().contains("limit")
              ? RawWebSocket.CLOSE_TOO_BIG
              : RawWebSocket.CLOSE_PROTOCOL_ERROR);
    }
    return decode(agentId, epoch, defaultService, frame);
  }

  private Frame binaryFrame(byte[] bytes) {
    try {
      BatchFrame.Decoded d = BatchFrame.decode(bytes, settings.maxFrameBytes());
      // the payload runs to the end of the buffer: read in place
      return new Frame(d.seq(), d.buffer(), d.offset(), 1, null);
    } catch (BatchFrame.FrameException e) {
      return Frame.refused(e.getMessage());
    }
  }

  private static long weight(Item item) {
    return item instanceof Decoded d ? Math.max(1, d.batch().records()) : 1;
  }

  /** A text frame: a {@code {"seq": N}} line, then NDJSON. */
  private static Frame textFrame(byte[] bytes) {
    int newline = Newlines.indexOf(bytes, 0, bytes.length);
    try {
      JsonNode header =
          Json.mapper().readTree(new String(bytes, 0, newline, StandardCharsets.UTF_8));
      JsonNode seqNode = header == null ? null : header.get("seq");
      if (seqNode == null || !seqNode.canConvertToLong() || seqNode.asLong() < 0) {
        return Frame.refused("the first line of a text frame must be {\"seq\": N} with N >= 0");
      }
      return new Frame(seqNode.asLong(), bytes, Math.min(bytes.length, newline + 1), 2, null);
    } catch (java.io.IOException e) {
      return Frame.refused(
          "the first line of a text frame must be {\"seq\": N}: " + e.getMessage());
    }
  }

  /** Decodes a frame's records straight into the batch's pre-aggregated deltas. */
  private Item decode(String agentId, long epoch, String defaultService, Frame frame) {
    byte[] bytes = frame.ndjson();
    long firstLine = frame.firstLine();
    long seq = frame.seq();
    EntityWriter.Batch batch =
        writer.aggregate(
            agentId,
            epoch,
            seq,
            defaultService,
            sink ->
                CaptureCodec.decodeLenient(
                    bytes, frame.offset(), bytes.length - frame.offset(), firstLine, sink));
    if (batch.records() > settings.maxBatchRecords()) {
      return new ProtocolError(
          "batch",
          "batch "
              + seq
              + " holds "
              + batch.records()
              + " records; at most "
              + settings.maxBatchRecords()
              + " per frame");
    }
    CaptureFormatException first = batch.report().firstError();
    return new Decoded(batch, first == null ? null : "batch " + seq + ", " + first.getMessage());
  }

  private static Item checkOrder(long[] lastSeq, Item item, long epoch) {
    if (item instanceof Decoded d) {
      long seq = d.batch().seq();
      if (seq <= lastSeq[0]) {
        return new ProtocolError(
            "seq",
            "seq went backwards within epoch "
                + epoch
                + ": got "
                + seq
                + " after "
                + lastSeq[0]
                + "; a new connection may start again from the oldest unacked batch");
      }
      lastSeq[0] = seq;
    }
    return item;
  }

  /** Counts decoded records as held by this node, on this connection, until they are acked. */
  private Item hold(AtomicLong held, Item item) {
    if (item instanceof Decoded d) {
      held.addAndGet(d.batch().records());
      counters.add(d.batch().records());
    }
    return item;
  }

  /**
   * Stops counting up to {@code records} (a flush that ends after its connection did finds none
   * left).
   */
  private void release(AtomicLong held, long records) {
    long before = held.getAndUpdate(h -> Math.max(0, h - records));
    counters.remove(Math.min(before, records));
  }

  private CompletionStage<List<RawWebSocket.Outbound>> flush(List<Item> group, AtomicLong held) {
    List<EntityWriter.Batch> batches = new ArrayList<>(group.size());
    long buffered = 0;
    List<RawWebSocket.Outbound> replies = new ArrayList<>(1);
    long rejected = 0;
    String firstError = null;
    Item end = null;
    for (Item item : group) {
      if (item instanceof Decoded d) {
        batches.add(d.batch());
        buffered += d.batch().records();
        rejected += d.batch().report().rejected();
        firstError = firstError != null ? firstError : d.firstError();
      } else if (item instanceof Reply r) {
        replies.add(r.message());
      } else {
        end = item;
      }
    }
    CompletionStage<List<RawWebSocket.Outbound>> written;
    if (batches.isEmpty()) {
      written = CompletableFuture.completedFuture(new ArrayList<>(replies));
    } else {
      long seq = batches.get(batches.size() - 1).seq();
      long rejectedRecords = rejected;
      String firstRejection = firstError;
      long release = buffered;
      counters.flushed();
      counters.batches.add(batches.size());
      counters.records.add(release);
      counters.invalidRecords.add(rejectedRecords);
      written =
          writer
              // one write at a time per connection (mapAsync(1)): the write may resend what timed
              // out, and an agent's failover sends from its oldest unacked batch in order anyway
              .write(batches, true)
              .whenComplete(
                  (totals, failure) -> {
                    release(held, release);
                    if (failure != null) {
                      counters.writesUnconfirmed.increment();
                      // the connection closes; the agent sends its unacked batches again
                      system
                          .log()
                          .warn(
                              "Agent stream: batches up to {} not confirmed, closing the"
                                  + " connection: {}",
                              seq,
                              failure.getMessage());
                    }
                  })
              .thenApply(
                  totals -> {
                    StreamReply ack =
                        new StreamReply.Ack(
                            seq,
                            totals.accepted(),
                            totals.late(),
                            totals.duplicates(),
                            totals.future(),
                            rejectedRecords,
                            firstRejection,
                            totals.folded());
                    List<RawWebSocket.Outbound> out = new ArrayList<>(replies);
                    out.add(new RawWebSocket.Text(ack.toJson()));
                    counters.acks.increment();
                    return out;
                  });
    }
    Item last = end;
    return written.thenApply(
        messages -> {
          if (last instanceof ProtocolError e) {
            counters.protocolErrors.increment();
            messages.add(
                new RawWebSocket.Text(new StreamReply.Error(e.code(), e.message()).toJson()));
            messages.add(new RawWebSocket.Close(e.closeCode(), e.message()));
          } else if (last instanceof PeerClosed) {
            messages.add(new RawWebSocket.Close(RawWebSocket.CLOSE_NORMAL, ""));
          }
          return messages;
        });
  }
}
