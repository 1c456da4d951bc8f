package io.autoglm.monitor.notifier;

import io.autoglm.monitor.notifier.channel.WebhookSettings;
import io.autoglm.monitor.notifier.channel.email.EmailSender;
import io.autoglm.monitor.notifier.deliver.DeliveryWorker;
import io.autoglm.monitor.notifier.deliver.Dispatcher;
import io.autoglm.monitor.notifier.deliver.Providers;
import io.autoglm.monitor.notifier.deliver.Sender;
import io.autoglm.monitor.notifier.group.AlertGroupEntity;
import io.autoglm.monitor.notifier.net.GuardedHttp;
import io.autoglm.monitor.notifier.outbox.NotificationAudit;
import io.autoglm.monitor.notifier.route.LiveRouting;
import io.autoglm.monitor.notifier.route.Notifier;
import io.autoglm.monitor.notifier.route.RoutingReloader;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Filters;
import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The notifier's parts on one node:
 *
 * <ul>
 *   <li>the routing in force ({@link LiveRouting}: the configuration's, with the receivers and
 *       route the API wrote over it, read again by a {@link RoutingReloader});
 *   <li>the routing {@link Notifier}, a cluster singleton (it runs on one node, and any node's
 *       reference reaches it): it decides where each alert change goes;
 *   <li>the alert groups ({@link AlertGroupEntity}), sharded: the routes with {@code group_by} hand
 *       their changes to them;
 *   <li>in a cluster of several data centers, the singleton and the groups run in one of them, the
 *       home data center; the nodes of the others hold proxies to them. Pekko's singleton and
 *       sharding are per data center, so without this each data center would notify every alert
 *       (the notifier reads the alert changes of the whole cluster from the shared journal);
 *   <li>this node's group deliveries: a {@link Dispatcher} (a delivery worker per receiver and
 *       channel under it, restarted with backoff) that sends the notifications of the groups this
 *       node owns, each attempt and failover in the audit.
 * </ul>
 */
public final class NotifierNode {
  private NotifierNode() {}

  /**
   * What the node's API needs of the notifier.
   *
   * @param notifier the singleton
   * @param routing the routing in force on this node
   * @param reloader reads the API's receivers and route again
   */
  public record Parts(
      ActorRef<Notifier.Command> notifier,
      LiveRouting routing,
      ActorRef<RoutingReloader.Command> reloader) {}

  /** How often a node reads the API's receivers and route again. */
  static final Duration ROUTING_RELOAD = Duration.ofSeconds(5);

  /**
   * Starts the notifier's parts on this node.
   *
   * @param filtersOf a rule's filters by its id (null for a rule not known)
   * @param routing the configuration's routing, with what the API writes over it
   * @param homeDataCenter the data center the notifier and the alert groups run in
   */
  public static Parts start(
      ActorContext<?> ctx,
      ActorRef<Topic.Command<Alert>> alertTopic,
      WebhookSettings webhook,
      Function<String, Filters> filtersOf,
      LiveRouting routing,
      Providers providers,
      NotifierStore store,
      String homeDataCenter) {
    ActorRef<RoutingReloader.Command> reloader =
        ctx.spawn(RoutingReloader.create(routing, store, ROUTING_RELOAD), "routing-reloader");
    NotificationAudit audit = new NotificationAudit(store);
    ActorRef<Dispatcher.Command> groupDeliveries =
        ctx.spawn(
            Behaviors.supervise(
                    Dispatcher.create(
                        name -> routing.get().receivers().get(name),
                        providers,
                        webhook.externalUrl(),
                        DeliveryWorker.Settings.of(webhook),
                        sender(ctx.getSystem(), webhook, providers),
                        audit::attempt, // thread-safe: a log line and an async write
                        f -> audit.failover(f.notification().key(), f)))
                .onFailure(SupervisorStrategy.restart()),
            "group-deliveries");
    AlertGroupEntity.init(
        ctx.getSystem(), new AlertGroupEntity.Dependencies(groupDeliveries), homeDataCenter);
    ActorRef<Notifier.Command> notifier =
        ClusterSingleton.get(ctx.getSystem())
            .init(
                SingletonActor.of(
                        Behaviors.supervise(
                                Notifier.create(
                                    alertTopic, webhook, filtersOf, routing, providers, store))
                            .onFailure(SupervisorStrategy.restart()),
                        "notifier")
                    .withSettings(
                        ClusterSingletonSettings.create(ctx.getSystem())
                            .withDataCenter(homeDataCenter)));
    return new Parts(notifier, routing, reloader);
  }

  /** How this node sends: HTTP through the SSRF guard, mail on the blocking dispatcher. */
  public static Sender sender(ActorSystem<?> system, WebhookSettings webhook, Providers providers) {
    GuardedHttp http = new GuardedHttp(system, webhook.guard(), webhook.requestTimeout());
    return Sender.of(
        http,
        providers.smtp().map(EmailSender::new),
        system.dispatchers().lookup(DispatcherSelector.blocking()));
  }
}
