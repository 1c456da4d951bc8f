package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import io.autoglm.monitor.node.api.AccessControl;
import io.autoglm.monitor.node.api.AlertRoutes;
import io.autoglm.monitor.node.api.ApiRoutes;
import io.autoglm.monitor.node.api.ClusterRoutes;
import io.autoglm.monitor.node.api.EndpointRoutes;
import io.autoglm.monitor.node.api.IpRoutes;
import io.autoglm.monitor.node.api.NotificationRoutes;
import io.autoglm.monitor.node.api.OriginGuard;
import io.autoglm.monitor.node.api.ReceiverRoutes;
import io.autoglm.monitor.node.api.RuleRoutes;
import io.autoglm.monitor.node.api.SilenceRoutes;
import io.autoglm.monitor.node.api.TokenRoutes;
import io.autoglm.monitor.node.api.WatchRoutes;
import io.autoglm.monitor.node.auth.ApiTokens;
import io.autoglm.monitor.node.auth.AuthSettings;
import io.autoglm.monitor.node.feed.AlertFeed;
import io.autoglm.monitor.node.ingest.EntityWriter;
import io.autoglm.monitor.node.ingest.IngestCounters;
import io.autoglm.monitor.node.ingest.IngestRoutes;
import io.autoglm.monitor.node.ingest.StreamIngest;
import io.autoglm.monitor.node.ingest.StreamSettings;
import io.autoglm.monitor.node.metrics.MetricsRoutes;
import io.autoglm.monitor.notifier.NotifierNode;
import io.autoglm.monitor.notifier.channel.WebhookSettings;
import io.autoglm.monitor.notifier.deliver.Providers;
import io.autoglm.monitor.notifier.route.LiveRouting;
import io.autoglm.monitor.notifier.route.Notifier;
import io.autoglm.monitor.notifier.route.Routing;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.persistence.cassandra.RollupStore;
import io.autoglm.monitor.persistence.cassandra.TokenStore;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.catalog.CatalogEntity;
import io.autoglm.monitor.sharding.catalog.EndpointAdmission;
import io.autoglm.monitor.sharding.catalog.EndpointLimits;
import io.autoglm.monitor.sharding.detect.HistoryBudget;
import io.autoglm.monitor.sharding.detect.ServiceBreaches;
import io.autoglm.monitor.sharding.ips.IpAdmission;
import io.autoglm.monitor.sharding.ips.IpKey;
import io.autoglm.monitor.sharding.ips.SourceIpGroupEntity;
import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import io.autoglm.monitor.sharding.stats.EndpointStatsEntity;
import io.autoglm.monitor.sharding.stats.RollupSink;
import io.autoglm.monitor.sharding.stats.StatsCounters;
import io.autoglm.monitor.sharding.stats.StatsSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The root actor of a node. Joins the cluster ({@link ClusterJoin}: the seed nodes, itself when
 * none are configured, or Kubernetes bootstrap), starts the pub-sub topics, the sharded rule book
 * and endpoint entities, the notifier singleton and the alert feed, loads the rules, and only then
 * binds HTTP, completing {@code bound} with the binding (or the failure).
 */
public final class Guardian {
  private Guardian() {}

  private static final String DECODE_DISPATCHER = "autoglm.ingest.decode-dispatcher";

  private static Route ingestRoutes(
      ActorSystem<?> system,
      StatsSettings stats,
      EndpointAdmission admission,
      IpAdmission ips,
      NodeSettings node,
      IngestCounters ingestCounters,
      NodeClock clock) {
    EntityWriter writer =
        new EntityWriter(system, stats, admission, ips, node.ingestTimeout(), clock);
    // decoding is the node's CPU-heavy work: on its own threads it does not delay entities,
    // cluster gossip or HTTP handling on the default dispatcher
    Executor decoding =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(DECODE_DISPATCHER));
    StreamIngest stream =
        new StreamIngest(
            system,
            writer,
            StreamSettings.fromConfig(system.settings().config()),
            ingestCounters,
            decoding);
    return new IngestRoutes(system, writer, stream, node, clock, decoding, ingestCounters).route();
  }

  /**
   * The per-minute history, in the journal keyspace, over the persistence plugin's own Cassandra
   * session (one connection pool for the node).
   */
  private static RollupStore history(ActorSystem<?> system, NodeSettings node) {
    String plugin = "pekko.persistence.cassandra";
    Config config = system.settings().config();
    return new RollupStore(
        CassandraSessionRegistry.get(system).sessionFor(plugin).underlying(),
        config.getString(plugin + ".journal.keyspace"),
        node.historyTtl(),
        config.getInt("autoglm.history.max-writes-in-flight"),
        config.getInt("autoglm.history.max-queued-writes"));
  }

  /** The API tokens, in the journal keyspace, on the plugin's session. */
  private static TokenStore tokenStore(ActorSystem<?> system) {
    String plugin = "pekko.persistence.cassandra";
    return new TokenStore(
        CassandraSessionRegistry.get(system).sessionFor(plugin).underlying(),
        system.settings().config().getString(plugin + ".journal.keyspace"));
  }

  /** The notifier's offset and outbox, in the journal keyspace, on the plugin's session. */
  private static NotifierStore notifierStore(ActorSystem<?> system) {
    String plugin = "pekko.persistence.cassandra";
    return new NotifierStore(
        CassandraSessionRegistry.get(system).sessionFor(plugin).underlying(),
        system.settings().config().getString(plugin + ".journal.keyspace"));
  }

  /**
   * @param clock the node's one clock (wall time judges record timestamps and closes quiet windows;
   *     monotonic time paces writes): {@link NodeClock#SYSTEM} but in tests
   */
  public static Behavior<Void> create(
      CompletableFuture<ServerBinding> bound,
      StatsCounters counters,
      IngestCounters ingestCounters,
      RuleCache rules,
      NodeClock clock) {
    return Behaviors.setup(
        ctx -> {
          ActorSystem<Void> system = ctx.getSystem();
          Config config = system.settings().config();
          ClusterJoin.start(system, bound);
          StatsSettings stats = StatsSettings.fromConfig(config);
          NodeSettings node = NodeSettings.fromConfig(config);
          DataCenters dataCenters = DataCenters.fromConfig(config);
          if (!dataCenters.atHome()) {
            ctx.getLog()
                .info(
                    "Data center {}: the rule book and the notifier run in data center {}",
                    dataCenters.self(),
                    dataCenters.home());
          }

          ActorRef<Topic.Command<Alert>> alertTopic =
              ctx.spawn(Topic.create(Alert.class, EndpointStatsEntity.ALERT_TOPIC), "alert-topic");
          ActorRef<Topic.Command<RuleSet>> ruleTopic =
              ctx.spawn(Topic.create(RuleSet.class, RuleBookEntity.TOPIC), "rule-topic");
          // read (and refused, naming the key and field) as the node starts
          List<ThresholdRule> configuredRules =
              ConfiguredRules.fromConfig(config, stats.maxWindowMs());
          var configuredSilences = ConfiguredSilences.fromConfig(config, java.time.Instant.now());
          RuleBookEntity.init(system, ruleTopic, dataCenters.home());
          EntityRef<RuleBookEntity.Command> ruleBook =
              RuleBookEntity.ref(system, dataCenters.home());
          EndpointLimits limits = EndpointLimits.fromConfig(config);
          CatalogEntity.init(system, limits::limitOf);
          EndpointAdmission admission = new EndpointAdmission(system, limits, stats.askTimeout());
          RollupStore history = history(system, node);
          RollupSink rollups =
              new RollupSink() {
                @Override
                public CompletionStage<Void> write(String entity, List<WindowStats> minutes) {
                  return history.write(entity, minutes);
                }

                @Override
                public CompletionStage<List<WindowStats>> read(String entity, long from, long to) {
                  return history.read(entity, from, to);
                }
              };
          ActorRef<Topic.Command<ServiceBreaches.Span>> breachTopic =
              ctx.spawn(
                  Topic.create(ServiceBreaches.Span.class, BreachSharing.TOPIC), "breach-topic");
          ServiceBreaches breaches =
              new ServiceBreaches(span -> breachTopic.tell(Topic.publish(span)));
          ctx.spawn(BreachSharing.create(breachTopic, breaches), "breach-sharing");
          EndpointStatsEntity.init(
              system,
              new EndpointStatsEntity.Dependencies(
                  stats,
                  rules,
                  alertTopic,
                  clock,
                  counters,
                  rollups,
                  new HistoryBudget(config.getBytes("autoglm.stats.detector-history-budget")),
                  breaches));
          IpAdmission.Settings ipSettings = IpAdmission.Settings.fromConfig(config);
          SourceIpGroupEntity.init(
              system,
              new SourceIpGroupEntity.Dependencies(
                  stats,
                  rules,
                  alertTopic,
                  clock,
                  rollups,
                  Duration.ofMillis(ipSettings.idleMs()),
                  Duration.ofMillis(ipSettings.historyIntervalMs())));
          ActorRef<Topic.Command<IpKey>> ipTopic =
              ctx.spawn(Topic.create(IpKey.class, IpAdmissions.TOPIC), "ip-admission-topic");
          IpAdmission ips =
              new IpAdmission(ipSettings, rules, ip -> ipTopic.tell(Topic.publish(ip)));
          ctx.spawn(IpAdmissions.create(ipTopic, ips, clock), "ip-admissions");
          // read (and refused, naming the key) as the node starts, not when the singleton does
          WebhookSettings webhook = WebhookSettings.fromConfig(config);
          Providers providers = Providers.fromConfig(config);
          Routing routing =
              Routing.fromConfig(config, webhook.guard())
                  .orElseGet(() -> Routing.defaults(config, webhook))
                  .requireProviders(providers);
          NotifierStore notifierStore = notifierStore(system);
          NotifierNode.Parts notifierParts =
              NotifierNode.start(
                  ctx,
                  alertTopic,
                  webhook,
                  ruleId -> {
                    var rule = rules.current().rules().get(ruleId);
                    return rule == null ? null : rule.filters();
                  },
                  new LiveRouting(
                      routing, Routing.routeJson(config).orElse(null), webhook.guard(), providers),
                  providers,
                  notifierStore,
                  dataCenters.home());
          ActorRef<Notifier.Command> notifier = notifierParts.notifier();
          ctx.spawn(EndpointWaker.create(admission, rules, node.wakeInterval()), "endpoint-waker");
          var alertHistory =
              io.autoglm.monitor.node.feed.AlertHistory.latest(system, node.recentAlertsLookback());
          AlertFeed.Live feed =
              AlertFeed.spawn(
                  ctx, alertTopic, node.recentAlerts(), node.feedBuffer(), alertHistory);

          CompletableFuture<RuleSet> rulesLoaded = new CompletableFuture<>();
          ctx.spawn(
              RuleCacheUpdater.create(
                  ruleTopic,
                  ruleBook,
                  rules,
                  stats.askTimeout(),
                  node.ruleLoadRetry(),
                  node.ruleSyncInterval(),
                  rulesLoaded,
                  configuredRules),
              "rule-cache");

          EndpointRoutes.Settings endpointSettings =
              new EndpointRoutes.Settings(
                  stats.askTimeout(), node.statsPanes(), node.historyTtl(), node.seriesMaxPoints());
          AuthSettings auth = AuthSettings.fromConfig(config);
          ApiTokens tokens = new ApiTokens(tokenStore(system), auth);
          if (!auth.enabled()) {
            ctx.getLog()
                .warn(
                    "autoglm.auth.enabled is off: every route answers anyone who reaches port {}",
                    node.httpPort());
          }
          Route route =
              new ApiRoutes(
                      system,
                      new OriginGuard(node.allowedOrigins()),
                      new AccessControl(auth, tokens),
                      new TokenRoutes(tokens).route(),
                      ingestRoutes(system, stats, admission, ips, node, ingestCounters, clock),
                      new RuleRoutes(
                              ruleBook,
                              rules,
                              stats.askTimeout(),
                              node.maxRuleBytes(),
                              stats.maxWindowMs(),
                              config.getBytes("autoglm.http.max-rules-file-bytes"),
                              config.getInt("autoglm.rules.max-rules"))
                          .route(),
                      new EndpointRoutes(system, admission, history, clock, endpointSettings)
                          .route(),
                      // before the IP routes: "watch" is no IP id (service/ip)
                      new WatchRoutes(ruleBook, rules, stats.askTimeout(), node.maxRuleBytes())
                          .route(),
                      new IpRoutes(system, ips, history, clock, endpointSettings).route(),
                      new AlertRoutes(system, feed, stats.askTimeout(), notifier).route(),
                      new NotificationRoutes(notifierStore, clock).route(),
                      new SilenceRoutes(notifierStore, notifier, system, stats.askTimeout())
                          .route(),
                      new ClusterRoutes(system, stats.askTimeout(), dataCenters).route(),
                      new io.autoglm.monitor.node.api.OpenApiRoutes().route(),
                      new MetricsRoutes(
                              system,
                              counters,
                              ingestCounters,
                              notifierStore,
                              alertTopic,
                              alertHistory)
                          .route(),
                      new ReceiverRoutes(
                              notifierStore,
                              notifierParts.routing(),
                              notifierParts.reloader(),
                              system,
                              stats.askTimeout())
                          .route())
                  .route();

          rulesLoaded
              .thenCompose(set -> tokens.ensureFirstAdmin().thenApply(done -> set))
              .thenCompose(
                  set ->
                      ConfiguredSilences.install(
                              configuredSilences, notifierStore, java.time.Instant.now())
                          .thenApply(
                              written -> {
                                if (written > 0) {
                                  system.log().info("Wrote {} configured silence(s)", written);
                                  notifier.tell(new Notifier.ApplySilences(system.ignoreRef()));
                                }
                                return set;
                              }))
              .thenCompose(
                  set -> {
                    system.log().info("Loaded {} rule(s)", set.rules().size());
                    return HttpsSettings.fromConfig(config)
                        .applyTo(
                            Http.get(system).newServerAt(node.httpInterface(), node.httpPort()))
                        .bind(route);
                  })
              .whenComplete(
                  (binding, failure) -> {
                    if (failure != null) {
                      bound.completeExceptionally(failure);
                    } else {
                      bound.complete(binding);
                    }
                  });
          return Behaviors.empty();
        });
  }
}
