package io.autoglm.monitor.notifier.deliver;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The supervisor of one channel type ({@code webhook}, {@code email}, {@code sms}, {@code
 * dingtalk}, ...) under a {@link Dispatcher}: a {@link DeliveryWorker} per receiver (and channel of
 * that type on it), started when first needed and restarted with backoff when it fails. A worker
 * that fails stops nothing else: not its channel's other workers, not another channel.
 */
final class ChannelSupervisor {
  private ChannelSupervisor() {}

  /** {@code send} for the worker of receiver {@code receiver}'s channel number {@code index}. */
  record Deliver(String receiver, int index, DeliveryWorker.Send send) {}

  static Behavior<Deliver> create(
      DeliveryWorker.Settings settings, Sender sender, Consumer<DeliveryWorker.Attempt> attempts) {
    return Behaviors.setup(
        ctx -> {
          Map<String, ActorRef<DeliveryWorker.Command>> workers = new HashMap<>();
          return Behaviors.receive(Deliver.class)
              .onMessage(
                  Deliver.class,
                  d -> {
                    String name = d.receiver() + "-" + d.index();
                    workers
                        .computeIfAbsent(
                            name,
                            k ->
                                ctx.spawn(
                                    Behaviors.supervise(
                                            DeliveryWorker.create(settings, sender, attempts))
                                        .onFailure(
                                            SupervisorStrategy.restartWithBackoff(
                                                Duration.ofMillis(200),
                                                Duration.ofSeconds(30),
                                                0.2)),
                                    "worker-" + URLEncoder.encode(k, StandardCharsets.UTF_8)))
                        .tell(d.send());
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
