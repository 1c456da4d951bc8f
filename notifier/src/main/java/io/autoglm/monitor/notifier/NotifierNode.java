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
import io.autoglm.monitor.notifier.route.Notifier;
import io.autoglm.monitor.notifier.route.Routing;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Filters;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The notifier's parts on one node:
 *
 * <ul>
 *   <li>the routing {@link Notifier}, a cluster singleton (it runs on one node, and any node's
 *       reference reaches it): it decides where each alert change goes;
 *   <li>the alert groups ({@link AlertGroupEntity}), sharded: the routes with {@code group_by} hand
 *       their changes to them;
 *   <li>this node's group deliveries: a {@link Dispatcher} (a delivery worker per receiver and
 *       channel under it, restarted with backoff) that sends the notifications of the groups this
 *       node owns, each attempt and failover in the audit.
 * </ul>
 */
public final class NotifierNode {
  private NotifierNode() {}

  /**
   * Starts the notifier's parts on this node; returns the notifier singleton.
   *
   * @param filtersOf a rule's filters by its id (null for a rule not known)
   */
  public static ActorRef<Notifier.Command> start(
      ActorContext<?> ctx,
      ActorRef<Topic.Command<Alert>> alertTopic,
      WebhookSettings webhook,
      Function<String, Filters> filtersOf,
      Routing routing,
      Providers providers,
      NotifierStore store) {
    NotificationAudit audit = new NotificationAudit(store);
    ActorRef<Dispatcher.Command> groupDeliveries =
        ctx.spawn(
            Behaviors.supervise(
                    Dispatcher.create(
                        routing.receivers()::get,
                        providers,
                        webhook.externalUrl(),
                        DeliveryWorker.Settings.of(webhook),
                        sender(ctx.getSystem(), webhook, providers),
                        audit::attempt, // thread-safe: a log line and an async write
                        f -> audit.failover(f.notification().key(), f)))
                .onFailure(SupervisorStrategy.restart()),
            "group-deliveries");
    AlertGroupEntity.init(ctx.getSystem(), new AlertGroupEntity.Dependencies(groupDeliveries));
    return ClusterSingleton.get(ctx.getSystem())
        .init(
            SingletonActor.of(
                Behaviors.supervise(
                        Notifier.create(alertTopic, webhook, filtersOf, routing, providers, store))
                    .onFailure(SupervisorStrategy.restart()),
                "notifier"));
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
