package io.autoglm.monitor.node.ingest;

import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.capture.DecodeReport;
import io.autoglm.monitor.protocols.wire.IngestAck;
import io.autoglm.monitor.sharding.EntityRefs;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.catalog.EndpointAdmission;
import io.autoglm.monitor.sharding.ips.IpAdmission;
import io.autoglm.monitor.sharding.ips.IpAggregator;
import io.autoglm.monitor.sharding.ips.IpDelta;
import io.autoglm.monitor.sharding.ips.IpGroupDelta;
import io.autoglm.monitor.sharding.ips.IpGroupKey;
import io.autoglm.monitor.sharding.ips.IpKey;
import io.autoglm.monitor.sharding.ips.IpPart;
import io.autoglm.monitor.sharding.ips.SourceIpGroupEntity;
import io.autoglm.monitor.sharding.stats.BatchPart;
import io.autoglm.monitor.sharding.stats.DeltaAggregator;
import io.autoglm.monitor.sharding.stats.EndpointDelta;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The last step of every ingest path. Each batch is first pre-aggregated on its own, where it was
 * decoded ({@link #aggregate}): one part per endpoint, so entities can drop replays. Then {@link
 * #write} finds the endpoint each part is counted under ({@link EndpointAdmission}: an admitted
 * endpoint, or its service's {@code /(other)} past the cap), sends one delta per endpoint for a
 * whole group of batches to the endpoint's entity and completes once every entity has persisted its
 * share: at most one write per entity per call. The records of tracked source IPs ({@link
 * IpAdmission}) go to their IP's entity the same way, and a batch is complete only once those are
 * persisted too; the source IPs each batch saw count toward admitting the heavy hitters.
 */
public final class EntityWriter {
  /**
   * One agent batch, pre-aggregated: a delta per endpoint, each holding this batch's one part, and
   * what decoding made of its lines; per service with tracked IPs in it, the service's counts in
   * the batch ({@code serviceParts}: what those IPs' rates are compared with); {@code source} the
   * agent source ({@code agentId#epoch}) it came from, null for records without an agent identity.
   */
  public record Batch(
      long seq,
      DecodeReport report,
      List<EndpointDelta> deltas,
      List<IpDelta> ipDeltas,
      List<IpAggregator.Sightings> sightings,
      Map<String, IpPart> serviceParts,
      String source) {
    /** The valid records the batch holds (late ones included; rejected lines are not). */
    public long records() {
      return report.accepted();
    }
  }

  public record Totals(
      long received,
      long accepted,
      long late,
      long duplicates,
      long future,
      long expired,
      long folded,
      int endpoints) {
    /** The answer of a complete {@code POST /api/v1/ingest}. */
    public IngestAck ack() {
      return new IngestAck(
          received, accepted, late, duplicates, future, expired, folded, endpoints);
    }
  }

  private final EntityRefs entities;
  private final StatsSettings stats;
  private final Duration timeout;
  private final NodeClock clock;
  private final EndpointAdmission admission;
  private final IpAdmission ips;

  public EntityWriter(
      ActorSystem<?> system,
      StatsSettings stats,
      EndpointAdmission admission,
      IpAdmission ips,
      Duration timeout,
      NodeClock clock) {
    this(EntityRefs.sharded(system), stats, admission, ips, timeout, clock);
  }

  /** A writer to the entities {@code entities} reaches (a backtest's are local actors). */
  public EntityWriter(
      EntityRefs entities,
      StatsSettings stats,
      EndpointAdmission admission,
      IpAdmission ips,
      Duration timeout,
      NodeClock clock) {
    this.entities = entities;
    this.stats = stats;
    this.admission = admission;
    this.ips = ips;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * Pre-aggregates one batch: {@code decode} is handed the consumer to feed the batch's records to
   * (e.g. {@link io.autoglm.monitor.protocols.capture.CaptureCodec#decodeLenient}). Any thread may
   * call this.
   *
   * @param agentId null for records without an agent identity
   */
  public Batch aggregate(
      String agentId,
      long epoch,
      long seq,
      String defaultService,
      Function<Consumer<CaptureRecord>, DecodeReport> decode) {
    DeltaAggregator aggregator =
        new DeltaAggregator(
            stats, admission.limits().normalizer(), ips, defaultService, clock.wallMillis());
    aggregator.beginBatch(agentId, epoch, seq);
    DecodeReport report = decode.apply(aggregator::add);
    List<EndpointDelta> deltas = aggregator.drain();
    List<IpDelta> ipDeltas = aggregator.drainIps();
    Map<String, IpPart> serviceParts =
        ipDeltas.isEmpty()
            ? Map.of()
            : IpAggregator.serviceParts(
                deltas, ipDeltas.stream().map(d -> d.key().service()).collect(Collectors.toSet()));
    return new Batch(
        seq,
        report,
        deltas,
        ipDeltas,
        aggregator.drainSightings(),
        serviceParts,
        agentId == null ? null : BatchPart.sourceKey(agentId, epoch));
  }

  /** An endpoint whose share was sent but not confirmed persisted: it may or may not count. */
  public record Unconfirmed(String endpoint, long records, String reason) {}

  /**
   * What {@link #writeAll} achieved: {@code counted} sums the endpoints that confirmed (listed in
   * {@code confirmed}); the {@code unconfirmed} ones timed out or failed.
   */
  public record Outcome(Totals counted, List<String> confirmed, List<Unconfirmed> unconfirmed) {
    public boolean complete() {
      return unconfirmed.isEmpty();
    }

    public long unconfirmedRecords() {
      return unconfirmed.stream().mapToLong(Unconfirmed::records).sum();
    }
  }

  /** A write that did not complete: some endpoints did not confirm. */
  public static final class IncompleteWriteException extends RuntimeException {
    IncompleteWriteException(Outcome outcome) {
      super(
          outcome.unconfirmed().size()
              + " endpoint(s) did not confirm persisting "
              + outcome.unconfirmedRecords()
              + " record(s): "
              + outcome.unconfirmed().get(0).reason());
    }
  }

  /** What one endpoint's entity answered: its ack, or why there was none. */
  private record Reply(EndpointDelta delta, EndpointStatsEntity.IngestAck ack, Throwable failure) {}

  /**
   * Sends the batches' deltas and completes with the totals once every entity has persisted its
   * share; fails with {@link IncompleteWriteException} when one did not (in time).
   */
  public CompletionStage<Totals> write(List<Batch> batches) {
    return write(batches, false);
  }

  /**
   * {@link #write(List)}; with {@code alone}, the caller promises that no other write of the
   * batches' source is under way (it sends them one after the other), which lets an entity's share
   * that timed out be sent again within the timeout ({@link #ATTEMPT_TIMEOUT}).
   */
  public CompletionStage<Totals> write(List<Batch> batches, boolean alone) {
    return writeAll(batches, alone)
        .thenApply(
            outcome -> {
              if (!outcome.complete()) {
                throw new IncompleteWriteException(outcome);
              }
              return outcome.counted();
            });
  }

  /**
   * Sends the batches' deltas, one per endpoint with the parts in batch order, to the entities, and
   * tells per endpoint whether its share was confirmed persisted. Never fails.
   */
  public CompletionStage<Outcome> writeAll(List<Batch> batches) {
    return writeAll(batches, false);
  }

  /** {@link #writeAll(List)}; {@code alone} as for {@link #write(List, boolean)}. */
  public CompletionStage<Outcome> writeAll(List<Batch> batches, boolean alone) {
    long now = clock.wallMillis();
    for (Batch b : batches) {
      for (IpAggregator.Sightings seen : b.sightings()) {
        ips.observe(seen.service(), seen.ips(), seen.maxEventTs(), now);
      }
    }
    Set<EndpointKey> unknown = new LinkedHashSet<>();
    for (Batch b : batches) {
      for (EndpointDelta d : b.deltas()) {
        if (admission.knownFinal(d.key()) == null) {
          unknown.add(d.key());
        }
      }
    }
    String source = batches.isEmpty() ? null : batches.get(0).source();
    CompletableFuture<Void> before = null;
    CompletableFuture<Void> sent = null;
    if (source != null) {
      sent = new CompletableFuture<>();
      before = sentBySource.put(source, sent);
    }
    if (unknown.isEmpty() && (before == null || before.isDone())) {
      return sendInTurn(batches, Map.of(), null, source, sent, alone);
    }
    CompletableFuture<Map<EndpointKey, EndpointKey>> resolved =
        unknown.isEmpty()
            ? CompletableFuture.completedFuture(Map.of())
            : admission.resolve(unknown).toCompletableFuture();
    CompletableFuture<Void> turn = sent;
    return (before == null ? resolved : resolved.thenCombine(before, (r, done) -> r))
        .handle((r, failure) -> sendInTurn(batches, r, failure, source, turn, alone))
        .thenCompose(Function.identity());
  }

  /**
   * Per agent source, the sending of its latest write: a write of the same source sends only once
   * the one before it has sent (not confirmed), so an entity gets a source's batches in order even
   * when a later write needs no catalog answer and an earlier one waits for one. Out of order, the
   * earlier batch would be judged a replay and dropped.
   */
  private final ConcurrentHashMap<String, CompletableFuture<Void>> sentBySource =
      new ConcurrentHashMap<>();

  /** Sends (or, when the catalogs failed, does not) and lets the source's next write go. */
  private CompletionStage<Outcome> sendInTurn(
      List<Batch> batches,
      Map<EndpointKey, EndpointKey> resolved,
      Throwable failure,
      String source,
      CompletableFuture<Void> sent,
      boolean alone) {
    Runnable next =
        () -> {
          if (sent != null) {
            sent.complete(null);
            sentBySource.remove(source, sent);
          }
        };
    List<Integer> ends = failure == null ? chunkEnds(batches) : List.of(batches.size());
    if (ends.size() == 1) {
      try {
        return failure != null
            ? CompletableFuture.completedFuture(notAdmitted(batches, failure))
            : send(batches, resolved, alone);
      } finally {
        next.run();
      }
    }
    return sendInChunks(batches, ends, 0, resolved, alone, next, null);
  }

  /**
   * The most panes (partial windows, and per-minute source-IP sketches) one entity message may
   * carry. A stream catching up after an outage flushes hundreds of batches at once; all their
   * parts for one endpoint in one message outgrew what the cluster's transport carried to another
   * node (288 KB for 480 one-pane parts, over Artery's default 256 KiB frame, measured with {@code
   * ./autoglm drill cassandra-pause}): it was dropped there, every attempt again, and the write
   * never went through. The frame is 1 MiB now ({@code cluster.conf}); this bound keeps a larger
   * backlog within it. It is high on purpose: each further chunk waits for the one before and for
   * the entity's next write slot, and at 96 panes ordinary ticks of {@code bench ingest} (5,000-
   * record batches) were cut too and ingest ran at a third of its speed.
   */
  static final int MAX_PANES_PER_MESSAGE = 1024;

  /**
   * Where {@code batches} are cut so that no entity's share of a chunk (an endpoint's, a source-IP
   * group's) holds more than {@link #MAX_PANES_PER_MESSAGE} panes (a single batch that does is a
   * chunk of its own): the end index of each chunk, the last being {@code batches.size()}.
   */
  List<Integer> chunkEnds(List<Batch> batches) {
    List<Integer> ends = new ArrayList<>(1);
    Map<Object, Integer> panes = new HashMap<>();
    for (int i = 0; i < batches.size(); i++) {
      Map<Object, Integer> ofBatch = new HashMap<>();
      for (EndpointDelta d : batches.get(i).deltas()) {
        for (BatchPart p : d.parts()) {
          ofBatch.merge(d.key(), p.windows().size() + p.sources().size(), Integer::sum);
        }
      }
      for (IpDelta d : batches.get(i).ipDeltas()) {
        for (IpPart p : d.parts()) {
          ofBatch.merge(ips.groupOf(d.key()), p.panes().size(), Integer::sum);
        }
      }
      boolean over = false;
      for (var e : ofBatch.entrySet()) {
        over |= panes.getOrDefault(e.getKey(), 0) + e.getValue() > MAX_PANES_PER_MESSAGE;
      }
      if (over && !panes.isEmpty()) {
        ends.add(i);
        panes.clear();
      }
      ofBatch.forEach((key, n) -> panes.merge(key, n, Integer::sum));
    }
    ends.add(batches.size());
    return ends;
  }

  /**
   * Sends {@code batches} chunk by chunk ({@code ends}, from {@link #chunkEnds}), each once the one
   * before is confirmed; the source's next write goes ({@code next}) once the last chunk is sent. A
   * chunk not wholly confirmed ends it: the entities judge a source's batches by their order, so a
   * later chunk must not land before an earlier one that may be sent again; the batches not sent
   * are unconfirmed.
   */
  private CompletionStage<Outcome> sendInChunks(
      List<Batch> batches,
      List<Integer> ends,
      int chunk,
      Map<EndpointKey, EndpointKey> resolved,
      boolean alone,
      Runnable next,
      Outcome before) {
    int from = chunk == 0 ? 0 : ends.get(chunk - 1);
    int to = ends.get(chunk);
    CompletionStage<Outcome> sending;
    try {
      sending = send(batches.subList(from, to), resolved, alone);
    } finally {
      if (to == batches.size()) {
        next.run();
      }
    }
    return sending.thenCompose(
        outcome -> {
          Outcome sum = before == null ? outcome : plus(before, outcome);
          if (to == batches.size()) {
            return CompletableFuture.completedFuture(sum);
          }
          if (!outcome.complete()) {
            next.run();
            return CompletableFuture.completedFuture(
                plus(
                    sum,
                    notSent(
                        batches.subList(to, batches.size()),
                        "not sent: an earlier part of the write was not confirmed")));
          }
          return sendInChunks(batches, ends, chunk + 1, resolved, alone, next, sum);
        });
  }

  private static Outcome plus(Outcome a, Outcome b) {
    Totals x = a.counted();
    Totals y = b.counted();
    List<String> confirmed = new ArrayList<>(a.confirmed());
    confirmed.addAll(b.confirmed());
    List<Unconfirmed> unconfirmed = new ArrayList<>(a.unconfirmed());
    unconfirmed.addAll(b.unconfirmed());
    return new Outcome(
        new Totals(
            x.received() + y.received(),
            x.accepted() + y.accepted(),
            x.late() + y.late(),
            x.duplicates() + y.duplicates(),
            x.future() + y.future(),
            x.expired() + y.expired(),
            x.folded() + y.folded(),
            (int) confirmed.stream().distinct().count()),
        List.copyOf(confirmed),
        List.copyOf(unconfirmed));
  }

  /** When the catalogs could not be asked: nothing was sent, every endpoint is unconfirmed. */
  private static Outcome notAdmitted(List<Batch> batches, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    return notSent(batches, "the endpoint catalog did not answer: " + cause.getMessage());
  }

  /** Nothing of {@code batches} was sent: every endpoint is unconfirmed, for {@code reason}. */
  private static Outcome notSent(List<Batch> batches, String reason) {
    List<Unconfirmed> unconfirmed = new ArrayList<>();
    long received = 0;
    for (Batch b : batches) {
      received += b.records();
      for (EndpointDelta d : b.deltas()) {
        unconfirmed.add(
            new Unconfirmed(
                d.key().entityId(),
                d.parts().stream().mapToLong(BatchPart::records).sum(),
                reason));
      }
    }
    return new Outcome(new Totals(received, 0, 0, 0, 0, 0, 0, 0), List.of(), unconfirmed);
  }

  /**
   * The endpoint {@code key}'s records are counted under: as this node knows it, else as {@code
   * resolved} says.
   */
  private EndpointKey finalKey(EndpointKey key, Map<EndpointKey, EndpointKey> resolved) {
    EndpointKey known = admission.knownFinal(key);
    return known != null ? known : resolved.getOrDefault(key, key);
  }

  private CompletionStage<Outcome> send(
      List<Batch> batches, Map<EndpointKey, EndpointKey> resolved, boolean alone) {
    Map<EndpointKey, List<BatchPart>> parts = new LinkedHashMap<>();
    long received = 0;
    for (Batch b : batches) {
      // paths folded into one endpoint merge their parts of this batch into one
      Map<EndpointKey, BatchPart> ofBatch = new LinkedHashMap<>();
      for (EndpointDelta d : b.deltas()) {
        EndpointKey key = finalKey(d.key(), resolved);
        for (BatchPart part : d.parts()) {
          ofBatch.merge(key, part, BatchPart::merge);
        }
      }
      ofBatch.forEach(
          (key, part) ->
              parts.computeIfAbsent(key, k -> new ArrayList<>(batches.size())).add(part));
      received += b.records();
    }
    List<EndpointDelta> deltas = new ArrayList<>(parts.size());
    parts.forEach((key, list) -> deltas.add(new EndpointDelta(key, list)));
    List<CompletableFuture<Reply>> replies =
        deltas.stream()
            .map(
                d ->
                    attempts(
                            wait ->
                                AskPattern
                                    .<EndpointStatsEntity.Command, EndpointStatsEntity.IngestAck>
                                        askWithStatus(
                                            entities.ref(
                                                EndpointStatsEntity.ENTITY_TYPE_KEY,
                                                d.key().entityId()),
                                            replyTo -> new EndpointStatsEntity.Ingest(d, replyTo),
                                            wait,
                                            entities.scheduler()),
                            alone && d.parts().stream().allMatch(BatchPart::identified))
                        .handle((ack, failure) -> new Reply(d, ack, failure))
                        .toCompletableFuture())
            .toList();
    long total = received;
    List<CompletableFuture<Unconfirmed>> ipReplies = sendIps(batches, alone);
    List<CompletableFuture<?>> all = new ArrayList<>(replies);
    all.addAll(ipReplies);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              long accepted = 0;
              long late = 0;
              long duplicates = 0;
              long future = 0;
              long expired = 0;
              long folded = 0;
              List<String> confirmed = new ArrayList<>(deltas.size());
              List<Unconfirmed> unconfirmed = new ArrayList<>();
              for (CompletableFuture<Reply> f : replies) {
                Reply reply = f.join();
                String endpoint = reply.delta().key().entityId();
                EndpointStatsEntity.IngestAck ack = reply.ack();
                if (ack == null) {
                  Throwable cause =
                      reply.failure() instanceof CompletionException c && c.getCause() != null
                          ? c.getCause()
                          : reply.failure();
                  unconfirmed.add(
                      new Unconfirmed(
                          endpoint,
                          reply.delta().parts().stream().mapToLong(BatchPart::records).sum(),
                          String.valueOf(cause.getMessage())));
                  continue;
                }
                confirmed.add(endpoint);
                accepted += ack.accepted();
                late += ack.late();
                duplicates += ack.duplicates();
                future += ack.future();
                expired += ack.expired();
                if (reply.delta().key().isOther()) {
                  folded += ack.accepted(); // of the accepted, those counted under a fold
                }
              }
              for (CompletableFuture<Unconfirmed> f : ipReplies) {
                if (f.join() != null) {
                  unconfirmed.add(f.join());
                }
              }
              return new Outcome(
                  new Totals(
                      total, accepted, late, duplicates, future, expired, folded, confirmed.size()),
                  List.copyOf(confirmed),
                  List.copyOf(unconfirmed));
            });
  }

  /**
   * How long one attempt of an entity write waits for its answer before it is sent again, within
   * the write's timeout. When a node dies, what was sent to the shards it held is lost with it
   * until the cluster has downed it and the shards start elsewhere (12–15 s with the tuned
   * split-brain settings, README "Cluster"); an attempt sent after that reaches the shard on its
   * new node, so the write goes through as soon as it can instead of when the whole timeout ends,
   * and the connection it came on does not fail.
   */
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(3);

  /**
   * {@code ask} with {@link #ATTEMPT_TIMEOUT}, asked again after each attempt that timed out until
   * the write's timeout is spent. Only for a {@code repeatable} write: one whose parts all carry
   * their source's seq (an entity drops a part it already counted, so a write that arrives twice
   * counts once), and the only write of its source under way. Were another one under way, an
   * attempt of the later write could reach the entity before the next attempt of the earlier one,
   * which the entity would then drop as a replay.
   */
  private <T> CompletionStage<T> attempts(
      Function<Duration, CompletionStage<T>> ask, boolean repeatable) {
    if (!repeatable) {
      return ask.apply(timeout);
    }
    return attempt(ask, System.nanoTime() + timeout.toNanos());
  }

  private <T> CompletionStage<T> attempt(
      Function<Duration, CompletionStage<T>> ask, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    Duration wait =
        Duration.ofNanos(Math.max(1_000_000, Math.min(ATTEMPT_TIMEOUT.toNanos(), left)));
    return ask.apply(wait)
        .handle(
            (value, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(value);
              }
              Throwable cause =
                  failure instanceof CompletionException c && c.getCause() != null
                      ? c.getCause()
                      : failure;
              return cause instanceof TimeoutException && deadlineNanos - System.nanoTime() > 0
                  ? attempt(ask, deadlineNanos)
                  : CompletableFuture.<T>failedFuture(cause);
            })
        .thenCompose(Function.identity());
  }

  /**
   * Sends the tracked source IPs' parts of the batches, one delta per group of IPs ({@link
   * IpGroupKey}); each future completes with null once the group's entity confirmed, else with why
   * not (never fails).
   */
  private List<CompletableFuture<Unconfirmed>> sendIps(List<Batch> batches, boolean alone) {
    Map<IpKey, List<IpPart>> parts = new LinkedHashMap<>();
    // per group, the service's part of each batch that brought IPs of the group
    Map<IpGroupKey, List<IpPart>> serviceParts = new HashMap<>();
    for (Batch b : batches) {
      Set<IpGroupKey> groups = new HashSet<>();
      for (IpDelta d : b.ipDeltas()) {
        parts.computeIfAbsent(d.key(), k -> new ArrayList<>(batches.size())).addAll(d.parts());
        IpGroupKey group = ips.groupOf(d.key());
        IpPart service = b.serviceParts().get(d.key().service());
        if (service != null && groups.add(group)) {
          serviceParts.computeIfAbsent(group, g -> new ArrayList<>()).add(service);
        }
      }
    }
    long now = clock.wallMillis();
    Map<IpGroupKey, List<IpDelta>> byGroup = new LinkedHashMap<>();
    parts.forEach(
        (key, list) -> {
          ips.touch(key, now);
          byGroup
              .computeIfAbsent(ips.groupOf(key), g -> new ArrayList<>())
              .add(new IpDelta(key, List.copyOf(list)));
        });
    List<CompletableFuture<Unconfirmed>> replies = new ArrayList<>(byGroup.size());
    byGroup.forEach(
        (group, deltas) -> {
          IpGroupDelta delta =
              new IpGroupDelta(
                  group,
                  List.copyOf(deltas),
                  ips.watchingSince(group.service()),
                  serviceParts.getOrDefault(group, List.of()));
          replies.add(
              attempts(
                      wait ->
                          AskPattern
                              .<SourceIpGroupEntity.Command, EndpointStatsEntity.IngestAck>
                                  askWithStatus(
                                      entities.ref(
                                          SourceIpGroupEntity.ENTITY_TYPE_KEY, group.entityId()),
                                      replyTo -> new SourceIpGroupEntity.Ingest(delta, replyTo),
                                      wait,
                                      entities.scheduler()),
                      alone
                          && delta.ips().stream()
                              .allMatch(x -> x.parts().stream().allMatch(IpPart::identified))
                          && delta.service().stream().allMatch(IpPart::identified))
                  .handle(
                      (ack, failure) ->
                          ack != null
                              ? null
                              : new Unconfirmed(
                                  "source IPs " + group.entityId(),
                                  0,
                                  String.valueOf(
                                      (failure instanceof CompletionException c
                                                  && c.getCause() != null
                                              ? c.getCause()
                                              : failure)
                                          .getMessage())))
                  .toCompletableFuture());
        });
    return replies;
  }
}
