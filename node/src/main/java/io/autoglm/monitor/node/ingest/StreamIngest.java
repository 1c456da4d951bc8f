package io.autoglm.monitor.node.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.node.api.JsonSupport;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureFormatException;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.DecodeReport;
import io.autoglm.monitor.protocols.wire.BatchFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The agent stream on one WebSocket connection ({@code /api/v1/ingest/stream}): decode and
 * validate each batch frame, gather batches for one flush tick, write one delta per endpoint
 * (with per-batch parts, so replays are dropped) and, once every entity has persisted, answer
 * with a cumulative ack. Backpressure reaches the socket: while {@code flushesInFlight} ticks
 * are being persisted, no further frame is read.
 *
 * <p>Frames: text, a header line {@code {"seq": N}} then NDJSON capture records; or binary,
 * a {@link BatchFrame} (17-byte header with the seq, then NDJSON, optionally gzip). Answers
 * (text): {@code {"type":"ack","seq":N,...}} covering every batch up to N, or
 * {@code {"type":"error","error":...}} just before the node ends the stream.
 */
public final class StreamIngest {
  private final ActorSystem<?> system;
  private final EntityWriter writer;
  private final StreamSettings settings;

  public StreamIngest(ActorSystem<?> system, EntityWriter writer, StreamSettings settings) {
    this.system = system;
    this.writer = writer;
    this.settings = settings;
  }

  /** What one frame turned into: a batch, or the reason the stream ends. */
  private sealed interface Item {}

  private record Decoded(EntityWriter.Batch batch, long rejected, String firstError) implements Item {}

  private record ProtocolError(String code, String message) implements Item {}

  /** A frame's seq and NDJSON records, or why it was refused ({@code error} non-null). */
  private record Frame(long seq, byte[] ndjson, int offset, String error) {
    static Frame refused(String error) {
      return new Frame(-1, null, 0, error);
    }
  }

  public Flow<Message, Message, NotUsed> flow(String agentId, long epoch, String defaultService) {
    return Flow.<Message>create()
        .mapAsync(1, this::readFrame)
        .map(frame -> frame.error() != null ? (Item) new ProtocolError(frame.error().startsWith("the first line")
            ? "header" : "frame", frame.error()) : decode(agentId, epoch, frame))
        .statefulMap(() -> new long[] {-1},
            (lastSeq, item) -> Pair.create(lastSeq, checkOrder(lastSeq, item)),
            lastSeq -> java.util.Optional.empty())
        .takeWhile(item -> !(item instanceof ProtocolError), true)
        .groupedWeightedWithin(settings.maxRecordsPerFlush(), StreamIngest::weight, settings.flushInterval())
        .mapAsync(settings.flushesInFlight(), group -> flush(group, defaultService))
        .mapConcat(messages -> messages);
  }

  private static long weight(Item item) {
    return item instanceof Decoded d ? Math.max(1, d.batch().records().size()) : 1;
  }

  /** Reads a whole frame (text or binary) within the size limit. */
  private CompletionStage<Frame> readFrame(Message message) {
    long limit = settings.maxFrameBytes();
    String tooLarge = "frame larger than " + limit + " bytes";
    if (message.isText()) {
      return message.asTextMessage().getStreamedText()
          .limitWeighted(limit, s -> (long) s.length())
          .runFold(new StringBuilder(), StringBuilder::append, system)
          .thenApply(sb -> textFrame(sb.toString().getBytes(StandardCharsets.UTF_8)))
          .exceptionally(failure -> Frame.refused(tooLarge));
    }
    return message.asBinaryMessage().getStreamedData()
        .limitWeighted(limit + BatchFrame.HEADER_BYTES, b -> (long) b.size())
        .runFold(ByteString.emptyByteString(), ByteString::concat, system)
        .thenApply(bytes -> {
          try {
            BatchFrame.Decoded d = BatchFrame.decode(bytes.toArrayUnsafe(), settings.maxFrameBytes());
            return new Frame(d.seq(), d.ndjson(), 0, null);
          } catch (BatchFrame.FrameException e) {
            return Frame.refused(e.getMessage());
          }
        })
        .exceptionally(failure -> Frame.refused(tooLarge));
  }

  /** A text frame: a {@code {"seq": N}} line, then NDJSON. */
  private static Frame textFrame(byte[] bytes) {
    int newline = 0;
    while (newline < bytes.length && bytes[newline] != '\n') {
      newline++;
    }
    try {
      JsonNode header = JsonSupport.MAPPER.readTree(new String(bytes, 0, newline, StandardCharsets.UTF_8));
      JsonNode seqNode = header == null ? null : header.get("seq");
      if (seqNode == null || !seqNode.canConvertToLong() || seqNode.asLong() < 0) {
        return Frame.refused("the first line of a text frame must be {\"seq\": N} with N >= 0");
      }
      return new Frame(seqNode.asLong(), bytes, Math.min(bytes.length, newline + 1), null);
    } catch (java.io.IOException e) {
      return Frame.refused("the first line of a text frame must be {\"seq\": N}: " + e.getMessage());
    }
  }

  private Item decode(String agentId, long epoch, Frame frame) {
    List<CaptureRecord> records = new ArrayList<>();
    byte[] bytes = frame.ndjson();
    // line numbers count from the frame's first line (the header line of a text frame is line 1)
    long firstLine = frame.offset() == 0 ? 1 : 2;
    DecodeReport report = CaptureCodec.decodeLenient(bytes, frame.offset(), bytes.length - frame.offset(), firstLine,
        records::add);
    long seq = frame.seq();
    if (records.size() > settings.maxBatchRecords()) {
      return new ProtocolError("batch", "batch " + seq + " holds " + records.size() + " records; at most "
          + settings.maxBatchRecords() + " per frame");
    }
    CaptureFormatException first = report.firstError();
    return new Decoded(new EntityWriter.Batch(agentId, epoch, seq, records), report.rejected(),
        first == null ? null : "batch " + seq + ", " + first.getMessage());
  }

  private static Item checkOrder(long[] lastSeq, Item item) {
    if (item instanceof Decoded d) {
      long seq = d.batch().seq();
      if (seq <= lastSeq[0]) {
        return new ProtocolError("seq", "seq went backwards within epoch " + d.batch().epoch() + ": got " + seq
            + " after " + lastSeq[0] + "; a new connection may start again from the oldest unacked batch");
      }
      lastSeq[0] = seq;
    }
    return item;
  }

  private CompletionStage<List<Message>> flush(List<Item> group, String defaultService) {
    List<EntityWriter.Batch> batches = new ArrayList<>(group.size());
    long rejected = 0;
    String firstError = null;
    ProtocolError error = null;
    for (Item item : group) {
      if (item instanceof Decoded d) {
        batches.add(d.batch());
        rejected += d.rejected();
        firstError = firstError != null ? firstError : d.firstError();
      } else {
        error = (ProtocolError) item;
      }
    }
    List<Message> out = new ArrayList<>(2);
    CompletionStage<List<Message>> written;
    if (batches.isEmpty()) {
      written = CompletableFuture.completedFuture(out);
    } else {
      long seq = batches.get(batches.size() - 1).seq();
      long rejectedRecords = rejected;
      String firstRejection = firstError;
      written = writer.write(batches, defaultService).thenApply(totals -> {
        ObjectNode ack = JsonSupport.object();
        ack.put("type", "ack");
        ack.put("seq", seq);
        ack.put("accepted", totals.accepted());
        ack.put("late", totals.late());
        ack.put("duplicates", totals.duplicates());
        ack.put("rejected", rejectedRecords);
        if (firstRejection != null) {
          ack.put("firstError", firstRejection);
        }
        out.add(text(ack));
        return out;
      });
    }
    ProtocolError end = error;
    return written.thenApply(messages -> {
      if (end != null) {
        ObjectNode e = JsonSupport.object();
        e.put("type", "error");
        e.put("code", end.code());
        e.put("error", end.message());
        messages.add(text(e));
      }
      return messages;
    });
  }

  private static Message text(ObjectNode json) {
    return TextMessage.create(json.toString());
  }
}
