package io.autoglm.monitor.node;

import io.autoglm.monitor.sharding.NodeClock;
import io.autoglm.monitor.sharding.ips.IpAdmission;
import io.autoglm.monitor.sharding.ips.IpKey;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Shares this node's source IP admissions with the cluster: subscribes to the admissions topic
 * (every node publishes the IPs it admits there) and teaches them to the node's {@link
 * IpAdmission}; every minute, drops the IPs idle for too long.
 */
final class IpAdmissions {
  private IpAdmissions() {}

  static final String TOPIC = "autoglm-ip-admissions";

  private enum Sweep {
    INSTANCE
  }

  static Behavior<Object> create(
      ActorRef<Topic.Command<IpKey>> topic, IpAdmission admission, NodeClock clock) {
    return Behaviors.setup(
        ctx -> {
          topic.tell(Topic.subscribe(ctx.getSelf().narrow()));
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Sweep.INSTANCE, Duration.ofMinutes(1));
                return Behaviors.receive(Object.class)
                    .onMessage(
                        IpKey.class,
                        ip -> {
                          admission.learn(ip, clock.wallMillis());
                          return Behaviors.same();
                        })
                    .onMessageEquals(
                        Sweep.INSTANCE,
                        () -> {
                          admission.sweep(clock.wallMillis());
                          return Behaviors.same();
                        })
                    .build();
              });
        });
  }
}
