package io.autoglm.monitor.node.ingest;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import com.fasterxml.jackson.databind.ObjectWriter;
import io.autoglm.monitor.node.NodeSettings;
import io.autoglm.monitor.node.api.ContentTypeCheck;
import io.autoglm.monitor.node.api.ErrorBody;
import io.autoglm.monitor.node.api.JsonSupport;
import io.autoglm.monitor.node.ws.RawWebSocket;
import io.autoglm.monitor.protocols.capture.CaptureBatch;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureFormatException;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.IngestAck;
import io.autoglm.monitor.sharding.NodeClock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * {@code POST /api/v1/ingest}: a body of capture records as NDJSON (optionally gzip or deflate
 * encoded, {@code Content-Encoding}), at most {@code autoglm.http.max-ingest-bytes} after decoding.
 * The body is all-or-nothing: one invalid line answers 400 naming the line and field, and nothing
 * is counted. Otherwise the records are pre-aggregated per endpoint and window and the reply (200)
 * comes once every endpoint entity has persisted its share.
 *
 * <p>{@code ?service=NAME} sets the service of records that carry none. With the headers {@code
 * X-Agent-Id}, {@code X-Agent-Seq} (and optionally {@code X-Agent-Epoch}) the body is batch {@code
 * seq} of that agent: sent again, to any node, it changes no count. A body without them gets an
 * identity from the node ({@link ServerKeys}); should it not complete in time, the 503 answer names
 * that identity, under which it can be sent again just as safely.
 */
public final class IngestRoutes extends AllDirectives {
  /** NDJSON under the names clients use for it; a browser cannot send these cross-site unasked. */
  private static final ContentTypeCheck NDJSON_BODY =
      new ContentTypeCheck("application/x-ndjson", "application/jsonl", "application/json");

  /** Prepared once: the ack is written for every request. */
  private static final ObjectWriter ACK = Json.writerFor(IngestAck.class);

  private static final String INVALID_SERVICE =
      "invalid query parameter 'service': must be 1..64 of [A-Za-z0-9._-]";

  private final ActorSystem<?> system;
  private final EntityWriter writer;
  private final StreamIngest stream;
  private final NodeSettings node;
  private final ServerKeys keys;
  private final Executor decoding;
  private final IngestCounters counters;

  /**
   * @param decoding where posted bodies are decoded and validated (the node's decode dispatcher)
   */
  public IngestRoutes(
      ActorSystem<?> system,
      EntityWriter writer,
      StreamIngest stream,
      NodeSettings node,
      NodeClock clock,
      Executor decoding,
      IngestCounters counters) {
    this.system = system;
    this.counters = counters;
    this.decoding = decoding;
    this.writer = writer;
    this.stream = stream;
    this.node = node;
    org.apache.pekko.actor.Address self = Cluster.get(system).selfMember().address();
    this.keys =
        new ServerKeys(self.getHost().orElse("local") + "-" + self.getPort().orElse(0), clock);
  }

  public Route route() {
    return concat(streamRoute(), postRoute());
  }

  /**
   * {@code GET /api/v1/ingest/stream?agent=ID&epoch=N[&service=NAME]}: the agent stream (a
   * WebSocket, see {@link StreamIngest}). An {@code Authorization} header is reserved for agent
   * tokens and not checked yet.
   */
  private Route streamRoute() {
    return path(
        PathMatchers.segment("api").slash("v1").slash("ingest").slash("stream"),
        () ->
            get(
                () ->
                    parameterOptional(
                        "agent",
                        agent ->
                            parameterOptional(
                                "epoch",
                                epoch ->
                                    parameterOptional(
                                        "service",
                                        service -> upgradeToStream(agent, epoch, service))))));
  }

  /** The agent stream for valid query parameters, else a 400 naming the parameter. */
  private Route upgradeToStream(
      Optional<String> agent, Optional<String> epoch, Optional<String> service) {
    if (agent.isEmpty()) {
      return badRequest("query parameter 'agent' is required");
    }
    AgentHeaders sender;
    try {
      sender =
          AgentHeaders.parse(
              agent,
              epoch,
              Optional.of("0"),
              "query parameter 'agent'",
              "query parameter 'epoch'",
              "seq",
              false);
    } catch (IllegalArgumentException e) {
      return badRequest(e.getMessage());
    }
    if (service.isPresent() && !CaptureRecord.isValidServiceName(service.get())) {
      return badRequest(INVALID_SERVICE);
    }
    String defaultService = service.orElse(node.defaultService());
    return extractRequest(
        request ->
            RawWebSocket.upgrade(
                    request,
                    stream.maxMessageBytes(),
                    () -> stream.messageFlow(sender.agentId(), sender.epoch(), defaultService))
                .map(response -> complete(response))
                .orElseGet(
                    () -> badRequest("expected a WebSocket upgrade request (the agent stream)")));
  }

  /** {@code POST /api/v1/ingest[?service=NAME]}: a body of NDJSON capture records. */
  private Route postRoute() {
    return path(
        PathMatchers.segment("api").slash("v1").slash("ingest"),
        () ->
            post(
                () ->
                    NDJSON_BODY.require(
                        () ->
                            parameterOptional(
                                "service",
                                service ->
                                    withDefaultService(
                                        service,
                                        defaultService ->
                                            withAgentHeaders(
                                                agent ->
                                                    withBody(
                                                        bytes ->
                                                            ingest(
                                                                bytes,
                                                                defaultService,
                                                                agent))))))));
  }

  /** The {@code service} query parameter, or the node's default service; a 400 if invalid. */
  private Route withDefaultService(Optional<String> service, Function<String, Route> inner) {
    if (service.isPresent() && !CaptureRecord.isValidServiceName(service.get())) {
      return complete(
          json(StatusCodes.BAD_REQUEST, ErrorBody.ofField(INVALID_SERVICE, "service", null)));
    }
    return inner.apply(service.orElse(node.defaultService()));
  }

  /** The sender's {@code X-Agent-Id/-Epoch/-Seq} headers (none: {@code NONE}), or a 400. */
  private Route withAgentHeaders(Function<AgentHeaders, Route> inner) {
    return optionalHeaderValueByName(
        "X-Agent-Id",
        agentId ->
            optionalHeaderValueByName(
                "X-Agent-Epoch",
                epoch ->
                    optionalHeaderValueByName(
                        "X-Agent-Seq",
                        seq -> {
                          AgentHeaders agent;
                          try {
                            agent =
                                AgentHeaders.parse(
                                    agentId,
                                    epoch,
                                    seq,
                                    "X-Agent-Id",
                                    "X-Agent-Epoch",
                                    "X-Agent-Seq",
                                    true);
                          } catch (IllegalArgumentException e) {
                            return badRequest(e.getMessage());
                          }
                          return inner.apply(agent);
                        })));
  }

  /**
   * The whole request body, gzip or deflate decoded, at most {@code max-ingest-bytes} both before
   * and after decoding (a small gzip body may inflate past it), handed to {@code handle}.
   */
  private Route withBody(Function<ByteString, CompletionStage<HttpResponse>> handle) {
    long max = node.maxIngestBytes();
    return extractRequestEntity(
        entity -> {
          long declared = entity.getContentLengthOption().orElse(-1);
          return declared > max ? tooLarge(entity, declared, max) : withBody(max, handle);
        });
  }

  /**
   * A body over the limit by its {@code Content-Length}: 413. A client still writing its body when
   * the server answers and closes reads a reset, not the answer (the JDK's client: "header parser
   * received no bytes"), so the body is read and dropped first, as nginx's lingering close does,
   * unless it is over {@link #DRAINED_AT_MOST} times the limit: then the answer goes at once and
   * the connection closes, and such a client may see the reset.
   */
  private Route tooLarge(
      org.apache.pekko.http.javadsl.model.RequestEntity entity, long declared, long max) {
    HttpResponse answer =
        JsonSupport.error(
            StatusCodes.PAYLOAD_TOO_LARGE, "request body exceeds the limit of " + max + " bytes");
    if (declared > DRAINED_AT_MOST * max) {
      return complete(answer);
    }
    return onComplete(entity.discardBytes(system).completionStage(), drained -> complete(answer));
  }

  /** How many times the limit a body over it may be and still be read through before the 413. */
  static final long DRAINED_AT_MOST = 4;

  private Route withBody(long max, Function<ByteString, CompletionStage<HttpResponse>> handle) {
    return withSizeLimit(
        max,
        () ->
            decodeRequest(
                () ->
                    extractDataBytes(
                        data -> {
                          CompletionStage<HttpResponse> answer =
                              data.limitWeighted(max, chunk -> (long) chunk.size())
                                  .runFold(ByteString.emptyByteString(), ByteString::concat, system)
                                  .thenCompose(handle::apply);
                          return onComplete(
                              answer,
                              done ->
                                  done.fold(
                                      failure -> {
                                        // to the route's exception handling: a body over the
                                        // limit is a 413, a corrupt encoding a 400
                                        throw failure instanceof RuntimeException re
                                            ? re
                                            : new IllegalStateException(failure);
                                      },
                                      response -> complete(response)));
                        })));
  }

  private Route badRequest(String message) {
    return complete(JsonSupport.error(StatusCodes.BAD_REQUEST, message));
  }

  private CompletionStage<HttpResponse> ingest(
      ByteString bytes, String defaultService, AgentHeaders sender) {
    AgentHeaders agent = sender == AgentHeaders.NONE ? AgentHeaders.issued(keys.next()) : sender;
    return CompletableFuture.supplyAsync(
            () ->
                writer.aggregate(
                    agent.agentId(),
                    agent.epoch(),
                    agent.seq(),
                    defaultService,
                    sink -> CaptureCodec.decodeLenient(bytes.toArrayUnsafe(), sink)),
            decoding)
        .thenCompose(batch -> write(batch, agent));
  }

  /** Answers a decoded body: 400 for a bad line, else writes it and answers with the counts. */
  private CompletionStage<HttpResponse> write(EntityWriter.Batch batch, AgentHeaders agent) {
    // one bad line refuses the whole body: nothing of it is written
    CaptureFormatException e = batch.report().firstError();
    counters.batches.increment();
    if (e != null) {
      counters.bodiesRefused.increment();
      counters.invalidRecords.add(batch.report().rejected());
      return CompletableFuture.completedFuture(
          json(
              StatusCodes.BAD_REQUEST,
              new RecordErrorBody(
                  "invalid capture record: " + e.getMessage(), e.line(), e.field(), e.reason())));
    }
    // a body under a key this node issued is the only write of its source; an agent's own
    // posts may overlap, so their writes are sent once
    boolean alone = agent.issued();
    return writer
        .writeAll(List.of(batch), alone)
        .thenApply(
            outcome -> {
              if (!outcome.complete()) {
                counters.writesUnconfirmed.increment();
                system
                    .log()
                    .warn(
                        "Ingest of {} records did not complete: {}",
                        batch.records(),
                        outcome.unconfirmed().get(0).reason());
                return incomplete(outcome, agent);
              }
              counters.records.add(batch.records());
              counters.acks.increment();
              return json(StatusCodes.OK, ACK, outcome.counted().ack());
            });
  }

  /**
   * 503 for a body whose records were not all confirmed persisted (within the ingest timeout): says
   * exactly which endpoints' records are counted and which may or may not be, and how to send again
   * without counting anything twice.
   */
  private static HttpResponse incomplete(EntityWriter.Outcome outcome, AgentHeaders agent) {
    String retry =
        agent.issued()
            ? "send the same body again with the headers in 'retryWith' (this node's key for this request): records"
                + " already counted are dropped as duplicates, the rest are counted once"
            : "send the same body again with the same X-Agent-Id, X-Agent-Epoch and X-Agent-Seq: records already"
                + " counted are dropped as duplicates, the rest are counted once";
    EntityWriter.Totals counted = outcome.counted();
    IngestIncomplete body =
        new IngestIncomplete(
            "the records of "
                + outcome.unconfirmed().size()
                + " endpoint(s) were not"
                + " confirmed persisted in time; they may or may not be counted",
            new IngestIncomplete.Counted(
                counted.accepted(),
                counted.late(),
                counted.duplicates(),
                counted.future(),
                counted.expired(),
                outcome.confirmed()),
            new IngestIncomplete.Unconfirmed(
                outcome.unconfirmedRecords(),
                outcome.unconfirmed().stream().map(EntityWriter.Unconfirmed::endpoint).toList(),
                outcome.unconfirmed().get(0).reason()),
            retry,
            new IngestIncomplete.RetryWith(
                agent.agentId(), Long.toString(agent.epoch()), Long.toString(agent.seq())));
    return json(StatusCodes.SERVICE_UNAVAILABLE, body);
  }

  /**
   * Who sent a batch: an agent, its epoch and the batch's seq; {@link #NONE} for a request without
   * them, which the node then gives a key of its own ({@code issued}).
   */
  private record AgentHeaders(String agentId, long epoch, long seq, boolean issued) {
    static final AgentHeaders NONE = new AgentHeaders(null, 0, 0, false);

    static AgentHeaders issued(ServerKeys.Key key) {
      return new AgentHeaders(key.agentId(), key.epoch(), 0, true);
    }

    /**
     * Parses the three values (all or none; the epoch may be left out, 0); the names are how the
     * caller calls them in error messages. {@code serverKeys}: whether a node-issued id ({@code
     * ~...}, from a 503 answer) is accepted too.
     */
    static AgentHeaders parse(
        Optional<String> id,
        Optional<String> epoch,
        Optional<String> seq,
        String idName,
        String epochName,
        String seqName,
        boolean serverKeys) {
      if (id.isEmpty() && epoch.isEmpty() && seq.isEmpty()) {
        return NONE;
      }
      if (id.isEmpty() || seq.isEmpty()) {
        throw new IllegalArgumentException(
            idName + " and " + seqName + " go together (" + epochName + " optional, default 0)");
      }
      if (!CaptureBatch.isValidAgentId(id.get())
          && !(serverKeys && CaptureBatch.isServerKey(id.get()))) {
        throw new IllegalArgumentException(
            idName
                + " must be 1..128 of [A-Za-z0-9._:-]"
                + (serverKeys ? " (or a key from a node's answer, starting with '~')" : ""));
      }
      return new AgentHeaders(
          id.get(),
          nonNegative(epoch.orElse("0"), epochName),
          nonNegative(seq.get(), seqName),
          false);
    }

    private static long nonNegative(String value, String name) {
      try {
        long n = Long.parseLong(value.trim());
        if (n >= 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(name + " must be an integer >= 0, got '" + value + "'");
    }
  }
}
