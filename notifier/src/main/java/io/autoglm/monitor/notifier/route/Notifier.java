package io.autoglm.monitor.notifier.route;

import io.autoglm.monitor.notifier.channel.WebhookChannel;
import io.autoglm.monitor.notifier.channel.WebhookSettings;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Filters;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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

  /**
   * @param filtersOf a rule's filters by its id (null for a rule not known): its notification limit
   */
  public static Behavior<Alert> create(
      ActorRef<Topic.Command<Alert>> alertTopic,
      WebhookSettings webhook,
      Function<String, Filters> filtersOf) {
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
}
