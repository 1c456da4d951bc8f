package io.autoglm.monitor.node;

import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps this node's {@link RuleCache} current: loads the rule book once at start (retrying
 * until the cluster can answer, then completing {@code loaded}) and follows every change
 * published on the rule topic afterwards.
 */
final class RuleCacheUpdater {
  private sealed interface Command {}

  private record Updated(RuleSet set) implements Command {}

  private enum Load implements Command {
    INSTANCE
  }

  private record LoadFailed(Throwable cause) implements Command {}

  private RuleCacheUpdater() {}

  static Behavior<Void> create(ActorRef<Topic.Command<RuleSet>> topic, RuleCache cache, Duration askTimeout,
      Duration retry, CompletableFuture<RuleSet> loaded) {
    return Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers -> {
      topic.tell(Topic.subscribe(ctx.messageAdapter(RuleSet.class, Updated::new)));
      ctx.getSelf().tell(Load.INSTANCE);
      return Behaviors.<Command>receive((c, msg) -> {
        if (msg instanceof Updated u) {
          cache.offer(u.set());
          loaded.complete(cache.current());
        } else if (msg instanceof Load) {
          c.pipeToSelf(RuleBookEntity.ref(c.getSystem()).ask(RuleBookEntity.Get::new, askTimeout),
              (set, failure) -> failure == null ? new Updated(set) : new LoadFailed(failure));
        } else if (msg instanceof LoadFailed f) {
          c.getLog().info("Rule book not reachable yet ({}); retrying", f.cause().toString());
          timers.startSingleTimer(Load.INSTANCE, retry);
        }
        return Behaviors.same();
      });
    })).unsafeCast();
  }
}
