package io.autoglm.monitor.node.metrics;

import io.autoglm.monitor.node.ingest.IngestCounters;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.stats.StatsCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: this node's metrics in the Prometheus text format (0.0.4), from a registry
 * of its own (several nodes may share a JVM in tests): per endpoint ({@link EndpointMetrics}), top
 * source IPs ({@link TopSources}), alerts ({@link AlertBoard}), ingest and persistence, the
 * notifier ({@link NotifierMetrics}), the cluster ({@link ClusterMetrics}) and the JVM. Every label
 * set is bounded (README "Metrics, Prometheus and Grafana"). Who may read it is the route table's
 * business ({@code ApiAccess}: a viewer token, none with {@code autoglm.metrics.open = on}).
 */
public final class MetricsRoutes extends AllDirectives {
  private static final ContentType TEXT_FORMAT =
      ContentTypes.parse(PrometheusTextFormatWriter.CONTENT_TYPE);

  private final PrometheusRegistry registry;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /**
   * Registers the node's metrics and starts what feeds them: a consumer of the alert feed, a
   * listener on the notifier's audit and the shard counter.
   *
   * @param counters the statistics entities' counters; their {@link StatsCounters#meter()}, when it
   *     is an {@link EndpointMetrics}, gives the per-endpoint series
   */
  public MetricsRoutes(
      ActorSystem<?> system,
      StatsCounters counters,
      IngestCounters ingest,
      NotifierStore notifierStore,
      ActorRef<Topic.Command<Alert>> alertTopic,
      CompletionStage<List<Alert>> alertHistory) {
    MetricsSettings settings = MetricsSettings.fromConfig(system.settings().config());
    this.registry = new PrometheusRegistry();
    if (counters.meter() instanceof MultiCollector endpoints) {
      registry.register(endpoints);
    }
    AlertBoard alerts = new AlertBoard();
    // every alert change of the cluster, from the topic the entities publish on
    system.systemActorOf(
        Behaviors.<Alert>setup(
            ctx -> {
              alertTopic.tell(Topic.subscribe(ctx.getSelf()));
              return Behaviors.receiveMessage(
                  alert -> {
                    alerts.accept(alert);
                    return Behaviors.same();
                  });
            }),
        "metrics-alerts",
        org.apache.pekko.actor.typed.Props.empty());
    // a failed reading (logged by the alert feed, which reads the same) seeds nothing
    alertHistory.whenComplete(
        (before, failure) -> alerts.seed(before == null ? List.of() : before));
    registry.register(alerts);
    NotifierMetrics notifier = new NotifierMetrics(settings.maxReceiverChannels());
    notifierStore.addAuditListener(notifier);
    registry.register(notifier);
    registry.register(ClusterMetrics.start(system, settings.shardPollInterval()));
    registerIngest(counters, ingest);
    JvmMetrics.builder().register(registry);
  }

  /** The per-endpoint meter for a node's {@link StatsCounters}, with the node's clock. */
  public static EndpointMetrics endpointMeter(com.typesafe.config.Config config, NodeClock clock) {
    MetricsSettings settings = MetricsSettings.fromConfig(config);
    return new EndpointMetrics(settings, new TopSources(settings.topIps(), clock::wallMillis));
  }

  private void registerIngest(StatsCounters stats, IngestCounters ingest) {
    counter(
        "autoglm_ingest_batches", "Batches decoded (agent frames, POST bodies)", ingest.batches);
    counter("autoglm_ingest_records", "Valid records received by this node", ingest.records);
    counter(
        "autoglm_ingest_acks",
        "Acks sent (stream flushes confirmed, POSTs answered 200)",
        ingest.acks);
    counter(
        "autoglm_ingest_writes_unconfirmed",
        "Writes to the entities not confirmed in time (stream closed, POST answered 503)",
        ingest.writesUnconfirmed);
    counter("autoglm_ingest_flushes", "Agent stream flush ticks that wrote", ingest::flushes);
    CounterWithCallback.builder()
        .name("autoglm_ingest_refused")
        .help("Requests refused whole: POST bodies with an invalid line, streams ended by an error")
        .labelNames("reason")
        .callback(
            cb -> {
              cb.call(ingest.bodiesRefused.sum(), "invalid_body");
              cb.call(ingest.protocolErrors.sum(), "protocol_error");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("autoglm_ingest_records_rejected")
        .help(
            "Records not counted, by reason: invalid (at ingest), late, duplicate, future (at the"
                + " entity)")
        .labelNames("reason")
        .callback(
            cb -> {
              cb.call(ingest.invalidRecords.sum(), "invalid");
              cb.call(stats.recordsLate.sum(), "late");
              cb.call(stats.recordsDuplicate.sum(), "duplicate");
              cb.call(stats.recordsFuture.sum(), "future");
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("autoglm_ingest_records_buffered")
        .help("Records of agent streams decoded but not yet acked")
        .callback(cb -> cb.call(ingest.recordsBuffered()))
        .register(registry);
    counter(
        "autoglm_stats_records_accepted",
        "Records counted by the endpoint entities this node hosts",
        stats.recordsAccepted);
    counter(
        "autoglm_persistence_journal_writes",
        "Journal writes of this node's endpoint entities (one per persist)",
        stats.journalWrites);
    counter(
        "autoglm_persistence_events",
        "Events persisted by this node's endpoint entities",
        stats.eventsPersisted);
    counter(
        "autoglm_persistence_entity_failures",
        "Endpoint entity restarts after a failure (a failed journal write above all)",
        stats.entityFailures);
    counter(
        "autoglm_persistence_history_write_failures",
        "Failed writes of minutes to the history (retried)",
        stats.historyWriteFailures);
  }

  private void counter(String name, String help, LongAdder adder) {
    counter(name, help, adder::sum);
  }

  private void counter(String name, String help, DoubleSupplier value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsDouble()))
        .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The exposition, as a scrape reads it. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public Route route() {
    return path(
        "metrics",
        () ->
            get(
                () ->
                    complete(
                        HttpResponse.create()
                            .withEntity(HttpEntities.create(TEXT_FORMAT, scrape())))));
  }
}
