package io.autoglm.monitor.node.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.node.api.JsonSupport;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureFormatException;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.DecodeReport;
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
 * <p>Frame (text): a header line {@code {"seq": N}}, then NDJSON capture records. Answers
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

  public Flow<Message, Message, NotUsed> flow(String agentId, long epoch, String defaultService) {
    return Flow.<Message>create()
        .mapAsync(1, this::frameBytes)
        .map(frame -> frame.first() != null ? (Item) new ProtocolError("frame", frame.first())
            : decode(agentId, epoch, frame.second()))
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

  /** The bytes of a text frame, or the reason it is refused (left of the pair). */
  private CompletionStage<Pair<String, ByteString>> frameBytes(Message message) {
    if (!message.isText()) {
      message.asBinaryMessage().getStreamedData().runWith(org.apache.pekko.stream.javadsl.Sink.ignore(), system);
      return CompletableFuture.completedFuture(Pair.create(
          "binary frames are not accepted yet; send text frames (a {\"seq\":N} line, then NDJSON)", null));
    }
    Source<String, ?> text = message.asTextMessage().getStreamedText();
    return text
        .limitWeighted(settings.maxFrameBytes(), s -> (long) s.length())
        .runFold(new StringBuilder(), StringBuilder::append, system)
        .thenApply(sb -> Pair.<String, ByteString>create(null, ByteString.fromString(sb.toString())))
        .exceptionally(failure -> Pair.create("frame larger than " + settings.maxFrameBytes() + " bytes", null));
  }

  private Item decode(String agentId, long epoch, ByteString frame) {
    byte[] bytes = frame.toArrayUnsafe();
    int newline = frame.indexOf((byte) '\n');
    int headerEnd = newline < 0 ? bytes.length : newline;
    long seq;
    try {
      JsonNode header = JsonSupport.MAPPER.readTree(new String(bytes, 0, headerEnd, StandardCharsets.UTF_8));
      JsonNode seqNode = header == null ? null : header.get("seq");
      if (seqNode == null || !seqNode.canConvertToLong() || seqNode.asLong() < 0) {
        return new ProtocolError("header", "the first line of a frame must be {\"seq\": N} with N >= 0");
      }
      seq = seqNode.asLong();
    } catch (java.io.IOException e) {
      return new ProtocolError("header", "the first line of a frame must be {\"seq\": N}: " + e.getMessage());
    }
    List<CaptureRecord> records = new ArrayList<>();
    int bodyStart = Math.min(bytes.length, headerEnd + 1);
    DecodeReport report = CaptureCodec.decodeLenient(bytes, bodyStart, bytes.length - bodyStart, 2, records::add);
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
