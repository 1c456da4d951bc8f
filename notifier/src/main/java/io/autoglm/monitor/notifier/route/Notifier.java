package io.autoglm.monitor.notifier.route;

import io.autoglm.monitor.notifier.channel.WebhookChannel;
import io.autoglm.monitor.notifier.channel.WebhookSettings;
import io.autoglm.monitor.notifier.channel.email.EmailSender;
import io.autoglm.monitor.notifier.deliver.DeliveryWorker;
import io.autoglm.monitor.notifier.deliver.Dispatcher;
import io.autoglm.monitor.notifier.deliver.Providers;
import io.autoglm.monitor.notifier.deliver.Sender;
import io.autoglm.monitor.notifier.net.GuardedHttp;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Filters;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Root of the notifier hierarchy: takes every alert from the cluster's alert topic and hands it to
 * the configured channels, each under its own restart supervision, unless the {@link
 * NotificationGate} holds it back (a silent change of a flapping alert, a rule past its {@code
 * notify_limit}). Runs once per cluster (a cluster singleton), so each alert is delivered once
 * however many nodes run.
 */
public final class Notifier {
  private Notifier() {}

  /** Every notification attempt, one line each (the audit, until it has a table of its own). */
  private static final org.slf4j.Logger AUDIT =
      org.slf4j.LoggerFactory.getLogger("io.autoglm.monitor.notifier.audit");

  /**
   * @param filtersOf a rule's filters by its id (null for a rule not known): its notification limit
   */
  public static Behavior<Alert> create(
      ActorRef<Topic.Command<Alert>> alertTopic,
      WebhookSettings webhook,
      Function<String, Filters> filtersOf) {
    return create(alertTopic, webhook, filtersOf, Optional.empty(), Providers.NONE);
  }

  /**
   * With {@code routing}, alerts go by its routing tree to its receivers' channels (the webhook of
   * {@code webhook} is not used then): every match of the tree, unless an endpoint's error outage
   * inhibits a per-IP alert of its service ({@link InhibitRule#OUTAGE_MUTES_IPS}).
   */
  public static Behavior<Alert> create(
      ActorRef<Topic.Command<Alert>> alertTopic,
      WebhookSettings webhook,
      Function<String, Filters> filtersOf,
      Optional<Routing> routing,
      Providers providers) {
    if (routing.isPresent()) {
      return routed(alertTopic, webhook, filtersOf, routing.get(), providers);
    }
    return Behaviors.setup(
        ctx -> {
          Optional<ActorRef<WebhookChannel.Command>> channel =
              webhook.enabled()
                  ? Optional.of(
                      ctx.spawn(
                          Behaviors.supervise(WebhookChannel.create(webhook))
                              .onFailure(SupervisorStrategy.restart()),
                          "webhook"))
                  : Optional.empty();
          if (channel.isEmpty()) {
            ctx.getLog()
                .info(
                    "No webhook configured (autoglm.notifier.webhook.url); alerts go to the feed only");
          } else {
            ctx.getLog().info("Alerts are delivered to webhook {}", webhook.url());
          }
          alertTopic.tell(Topic.subscribe(ctx.getSelf()));
          NotificationGate gate = new NotificationGate(filtersOf);
          return Behaviors.receiveMessage(
              alert -> {
                NotificationGate.Verdict verdict = gate.admit(alert);
                if (verdict == NotificationGate.Verdict.SEND) {
                  channel.ifPresent(c -> c.tell(new WebhookChannel.Deliver(alert)));
                } else if (verdict == NotificationGate.Verdict.OVER_LIMIT) {
                  ctx.getLog()
                      .info(
                          "Not notified (rule {} reached its notify_limit; on the feed only): {}",
                          alert.ruleId(),
                          alert.summary());
                }
                return Behaviors.same();
              });
        });
  }

  private static Behavior<Alert> routed(
      ActorRef<Topic.Command<Alert>> alertTopic,
      WebhookSettings webhook,
      Function<String, Filters> filtersOf,
      Routing routing,
      Providers providers) {
    return Behaviors.<Object>setup(
            ctx -> {
              GuardedHttp http =
                  new GuardedHttp(ctx.getSystem(), webhook.guard(), webhook.requestTimeout());
              Executor blocking =
                  ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
              Sender sender = Sender.of(http, providers.smtp().map(EmailSender::new), blocking);
              DeliveryWorker.Settings settings =
                  new DeliveryWorker.Settings(
                      webhook.maxAttempts(),
                      webhook.minBackoff(),
                      webhook.maxBackoff(),
                      webhook.requestTimeout().multipliedBy(2),
                      5,
                      Duration.ofSeconds(30));
              ActorRef<Dispatcher.Command> dispatcher =
                  ctx.spawn(
                      Dispatcher.create(
                          routing.receivers()::get,
                          providers,
                          webhook.externalUrl(),
                          settings,
                          sender,
                          // called from the workers: a thread-safe logger, not this actor's
                          attempt ->
                              AUDIT.info(
                                  "Notification attempt {} {} {} -> {} {}: {}",
                                  attempt.attempt(),
                                  attempt.idempotencyKey(),
                                  attempt.receiver(),
                                  attempt.channel(),
                                  attempt.delivered() ? "delivered" : "failed",
                                  attempt.error() == null ? "" : attempt.error()),
                          line -> {}),
                      "dispatcher");
              ctx.getLog()
                  .info(
                      "Alerts are routed to receivers {}",
                      new java.util.TreeSet<>(routing.receivers().keySet()));
              alertTopic.tell(Topic.subscribe(ctx.getSelf().narrow()));
              NotificationGate gate = new NotificationGate(filtersOf);
              Map<String, Map<String, String>> firing = new HashMap<>();
              ActorRef<Dispatcher.Dispatched> results =
                  ctx.messageAdapter(Dispatcher.Dispatched.class, d -> d);
              return Behaviors.receive(Object.class)
                  .onMessage(
                      Alert.class,
                      alert -> {
                        Map<String, String> labels = Routing.labelsOf(alert);
                        if (alert.isFiring()) {
                          firing.put(alert.fingerprint(), labels);
                        } else {
                          firing.remove(alert.fingerprint());
                        }
                        if (gate.admit(alert) != NotificationGate.Verdict.SEND) {
                          return Behaviors.same();
                        }
                        if (InhibitRule.OUTAGE_MUTES_IPS.inhibits(labels, firing.values())) {
                          ctx.getLog()
                              .info(
                                  "Not notified (inhibited by an outage of service {}): {}",
                                  alert.service(),
                                  alert.summary());
                          return Behaviors.same();
                        }
                        for (Route.Match m : routing.route().match(labels)) {
                          dispatcher.tell(new Dispatcher.Dispatch(alert, m, results));
                        }
                        return Behaviors.same();
                      })
                  .onMessage(
                      Dispatcher.Dispatched.class,
                      d -> {
                        if (d.deliveredBy() == null) {
                          ctx.getLog()
                              .error(
                                  "Alert {} reached no receiver: {}",
                                  d.alert().fingerprint(),
                                  d.path());
                        }
                        return Behaviors.same();
                      })
                  .build();
            })
        .narrow();
  }
}
