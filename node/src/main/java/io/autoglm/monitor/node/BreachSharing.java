package io.autoglm.monitor.node;

import io.autoglm.monitor.sharding.detect.ServiceBreaches;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Shares the endpoints' breaches of rules confirmed by {@code "endpoints"} with the cluster: every
 * node publishes its entities' breach spans on the topic, and this actor applies every node's spans
 * (its own too: applying is idempotent) to the node's {@link ServiceBreaches}.
 */
final class BreachSharing {
  private BreachSharing() {}

  static final String TOPIC = "autoglm-service-breaches";

  static Behavior<ServiceBreaches.Span> create(
      ActorRef<Topic.Command<ServiceBreaches.Span>> topic, ServiceBreaches breaches) {
    return Behaviors.setup(
        ctx -> {
          topic.tell(Topic.subscribe(ctx.getSelf()));
          return Behaviors.receive(ServiceBreaches.Span.class)
              .onMessage(
                  ServiceBreaches.Span.class,
                  span -> {
                    breaches.apply(span);
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
