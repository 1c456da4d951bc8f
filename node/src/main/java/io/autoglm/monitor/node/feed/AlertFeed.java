package io.autoglm.monitor.node.feed;

import io.autoglm.monitor.protocols.alert.Alert;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * This node's view of the cluster's alerts: subscribes to the alert topic, keeps the most recent
 * ones for {@code GET /api/v1/alerts}, and broadcasts each to every live WebSocket client through a
 * {@link BroadcastHub}.
 */
public final class AlertFeed extends AbstractBehavior<AlertFeed.Command> {

  public sealed interface Command {}

  public record GetRecent(ActorRef<List<Alert>> replyTo) implements Command {}

  private record Received(Alert alert) implements Command {}

  /** The live source every WebSocket connection attaches to. */
  public record Live(ActorRef<Command> feed, Source<Alert, NotUsed> source) {}

  private final int keep;
  private final Deque<Alert> recent = new ArrayDeque<>();
  private final BoundedSourceQueue<Alert> queue;

  /** Spawns the feed under {@code ctx} and returns it with its live source. */
  public static Live spawn(
      ActorContext<?> ctx, ActorRef<Topic.Command<Alert>> topic, int keep, int buffer) {
    Pair<BoundedSourceQueue<Alert>, Source<Alert, NotUsed>> hub =
        Source.<Alert>queue(buffer)
            .toMat(BroadcastHub.of(Alert.class, buffer), Keep.both())
            .run(ctx.getSystem());
    // a permanent consumer keeps the hub draining, so a new client never gets stale alerts
    hub.second().runWith(Sink.ignore(), ctx.getSystem());
    ActorRef<Command> feed = ctx.spawn(create(topic, keep, hub.first()), "alert-feed");
    return new Live(feed, hub.second());
  }

  private static Behavior<Command> create(
      ActorRef<Topic.Command<Alert>> topic, int keep, BoundedSourceQueue<Alert> queue) {
    return Behaviors.setup(
        ctx -> {
          topic.tell(Topic.subscribe(ctx.messageAdapter(Alert.class, Received::new)));
          return new AlertFeed(ctx, keep, queue);
        });
  }

  private AlertFeed(ActorContext<Command> ctx, int keep, BoundedSourceQueue<Alert> queue) {
    super(ctx);
    this.keep = keep;
    this.queue = queue;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Received.class, this::onReceived)
        .onMessage(GetRecent.class, this::onGetRecent)
        .build();
  }

  private Behavior<Command> onReceived(Received r) {
    recent.addFirst(r.alert());
    while (recent.size() > keep) {
      recent.removeLast();
    }
    queue.offer(r.alert());
    return this;
  }

  private Behavior<Command> onGetRecent(GetRecent g) {
    g.replyTo().tell(List.copyOf(new ArrayList<>(recent)));
    return this;
  }
}
