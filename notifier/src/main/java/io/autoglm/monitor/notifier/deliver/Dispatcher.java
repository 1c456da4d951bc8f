package io.autoglm.monitor.notifier.deliver;

import io.autoglm.monitor.notifier.receiver.Receiver;
import io.autoglm.monitor.notifier.route.Route;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Sends notifications (an alert change, or a group's alerts) to the receiver a route chose and on
 * along the route's failover chain: every channel of a receiver gets the alert (a {@link
 * ChannelSupervisor} per channel type under it, and under that a {@link DeliveryWorker} per
 * receiver, restarted with backoff if it fails: one failing stops no other); when none of them
 * delivers (breakers open, retries exhausted, refused), the next receiver of the chain gets it, and
 * the failover is written to the audit with why. The chain ends at the first receiver that
 * delivered on any channel. A receiver without channels (the feed only) has nothing to send and
 * counts as delivered.
 */
public final class Dispatcher extends AbstractBehavior<Dispatcher.Command> {

  /**
   * How one alert change ended on one route: the route's receiver, the receiver that delivered it
   * (null: none), and the path along the failover chain.
   */
  public record Dispatched(
      Notification notification, String receiver, String deliveredBy, List<String> path) {}

  /** A failover taken: {@code from}'s channels all failed ({@code why}), {@code to} is next. */
  public record Failover(Notification notification, String from, String to, String why) {
    /** The failover as one line of text. */
    public String line() {
      return "failover for "
          + notification.fingerprint()
          + " ("
          + notification.first().ruleId()
          + "): "
          + from
          + " -> "
          + to
          + ": "
          + why;
    }
  }

  public sealed interface Command {}

  /** Send {@code notification} along {@code match}'s receiver and failover chain. */
  public record Dispatch(Notification notification, Route.Match match, ActorRef<Dispatched> replyTo)
      implements Command {

    /** One alert change on its own. */
    public Dispatch(Alert alert, Route.Match match, ActorRef<Dispatched> replyTo) {
      this(Notification.of(alert), match, replyTo);
    }
  }

  private record Delivered(DeliveryWorker.Outcome outcome) implements Command {}

  /** A dispatch on its way down the chain. */
  private static final class InFlight {
    final Dispatch dispatch;
    final List<String> chain;
    final List<String> path = new ArrayList<>();
    int position;
    int waiting;
    boolean delivered;
    final List<String> failures = new ArrayList<>();

    InFlight(Dispatch dispatch) {
      this.dispatch = dispatch;
      this.chain = new ArrayList<>();
      chain.add(dispatch.match().receiver());
      chain.addAll(dispatch.match().failover());
    }
  }

  private final Function<String, Receiver> receivers;
  private final Providers providers;
  private final String externalUrl;
  private final DeliveryWorker.Settings settings;
  private final Sender sender;
  private final BiConsumer<Notification, DeliveryWorker.Attempt> attempts;

  /** The notifications on their way, by key: what the workers' attempts are about. */
  private final Map<String, Notification> byKey = new ConcurrentHashMap<>();

  private final Consumer<Failover> failovers;
  private final Map<String, ActorRef<ChannelSupervisor.Deliver>> channels = new HashMap<>();
  private final Map<Long, InFlight> inFlight = new HashMap<>();

  /**
   * Which dispatch each delivery on its way belongs to. (The workers answer through one message
   * adapter: an actor has one per message class, so an adapter made per dispatch would answer every
   * outcome as the latest dispatch's.)
   */
  private final Map<Delivery, Long> dispatchOf = new java.util.IdentityHashMap<>();

  private ActorRef<DeliveryWorker.Outcome> outcomes;
  private long nextId;

  /**
   * @param receivers a receiver by name (null: unknown)
   * @param attempts told each attempt and what it is about (null: not known any more), from the
   *     workers' threads
   * @param failovers told each failover taken, for the audit
   */
  public static Behavior<Command> create(
      Function<String, Receiver> receivers,
      Providers providers,
      String externalUrl,
      DeliveryWorker.Settings settings,
      Sender sender,
      BiConsumer<Notification, DeliveryWorker.Attempt> attempts,
      Consumer<Failover> failovers) {
    return Behaviors.setup(
        ctx ->
            new Dispatcher(
                ctx, receivers, providers, externalUrl, settings, sender, attempts, failovers));
  }

  private Dispatcher(
      ActorContext<Command> ctx,
      Function<String, Receiver> receivers,
      Providers providers,
      String externalUrl,
      DeliveryWorker.Settings settings,
      Sender sender,
      BiConsumer<Notification, DeliveryWorker.Attempt> attempts,
      Consumer<Failover> failovers) {
    super(ctx);
    this.receivers = receivers;
    this.providers = providers;
    this.externalUrl = externalUrl;
    this.settings = settings;
    this.sender = sender;
    this.attempts = attempts;
    this.failovers = failovers;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Dispatch.class, this::onDispatch)
        .onMessage(Delivered.class, this::onDelivered)
        .build();
  }

  private Behavior<Command> onDispatch(Dispatch d) {
    long id = nextId++;
    InFlight f = new InFlight(d);
    inFlight.put(id, f);
    byKey.put(d.notification().key(), d.notification());
    sendToCurrent(id, f);
    return this;
  }

  /** Sends to the chain's current receiver; moves on when it has nothing it can send. */
  private void sendToCurrent(long id, InFlight f) {
    while (f.position < f.chain.size()) {
      String name = f.chain.get(f.position);
      Receiver r = receivers.apply(name);
      if (r == null) {
        failed(f, name, "no such receiver");
        continue;
      }
      if (r.channels().isEmpty()) {
        f.path.add(name + ": the feed only");
        finish(id, f, name);
        return;
      }
      Deliveries.Result result =
          Deliveries.of(f.dispatch.notification(), r, providers, externalUrl, Instant.now());
      if (result.deliveries().isEmpty()) {
        failed(f, name, String.join("; ", result.unsendable()));
        continue;
      }
      f.waiting = result.deliveries().size();
      f.failures.clear();
      f.failures.addAll(result.unsendable());
      if (outcomes == null) {
        outcomes = getContext().messageAdapter(DeliveryWorker.Outcome.class, Delivered::new);
      }
      for (int i = 0; i < result.deliveries().size(); i++) {
        Delivery delivery = result.deliveries().get(i);
        dispatchOf.put(delivery, id);
        ActorRef<DeliveryWorker.Outcome> reply = outcomes;
        channel(delivery.channel())
            .tell(
                new ChannelSupervisor.Deliver(
                    name,
                    i,
                    new DeliveryWorker.Send(
                        delivery, f.dispatch.notification().orderKey(), reply)));
      }
      return;
    }
    finish(id, f, null);
  }

  private void failed(InFlight f, String receiver, String why) {
    f.path.add(receiver + ": " + why);
    f.position++;
    if (f.position < f.chain.size()) {
      Failover failover =
          new Failover(f.dispatch.notification(), receiver, f.chain.get(f.position), why);
      failovers.accept(failover);
      getContext().getLog().warn(failover.line());
    }
  }

  private Behavior<Command> onDelivered(Delivered d) {
    Long id = dispatchOf.remove(d.outcome().delivery());
    InFlight f = id == null ? null : inFlight.get(id);
    if (f == null) {
      return this;
    }
    DeliveryWorker.Outcome o = d.outcome();
    if (o.delivered()) {
      f.delivered = true;
    } else {
      f.failures.add(o.delivery().channel() + " " + o.error());
    }
    if (--f.waiting > 0) {
      return this;
    }
    String name = f.chain.get(f.position);
    if (f.delivered) {
      f.path.add(name + ": delivered");
      finish(id, f, name);
    } else {
      failed(f, name, String.join("; ", f.failures));
      sendToCurrent(id, f);
    }
    return this;
  }

  private void finish(long id, InFlight f, String deliveredBy) {
    inFlight.remove(id);
    byKey.remove(f.dispatch.notification().key());
    f.dispatch
        .replyTo()
        .tell(
            new Dispatched(
                f.dispatch.notification(),
                f.dispatch.match().receiver(),
                deliveredBy,
                List.copyOf(f.path)));
  }

  /** The supervisor of {@code channel}'s workers, started when first needed. */
  private ActorRef<ChannelSupervisor.Deliver> channel(String channel) {
    return channels.computeIfAbsent(
        channel,
        type ->
            getContext()
                .spawn(
                    Behaviors.supervise(
                            ChannelSupervisor.create(
                                settings,
                                sender,
                                a -> attempts.accept(byKey.get(a.idempotencyKey()), a)))
                        .onFailure(SupervisorStrategy.restart()),
                    "channel-"
                        + java.net.URLEncoder.encode(
                            type, java.nio.charset.StandardCharsets.UTF_8)));
  }
}
