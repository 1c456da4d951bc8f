package io.autoglm.monitor.notifier.route;

import io.autoglm.monitor.notifier.channel.WebhookChannel;
import io.autoglm.monitor.notifier.channel.WebhookSettings;
import io.autoglm.monitor.protocols.alert.Alert;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Root of the notifier hierarchy: takes every alert from the cluster's alert topic and hands it to
 * the configured channels, each under its own restart supervision. Runs once per cluster (a cluster
 * singleton), so each alert is delivered once however many nodes run.
 */
public final class Notifier {
  private Notifier() {}

  public static Behavior<Alert> create(
      ActorRef<Topic.Command<Alert>> alertTopic, WebhookSettings webhook) {
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
          return Behaviors.receiveMessage(
              alert -> {
                channel.ifPresent(c -> c.tell(new WebhookChannel.Deliver(alert)));
                return Behaviors.same();
              });
        });
  }
}
