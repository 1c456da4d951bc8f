package io.autoglm.monitor.node;

import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Keeps this node's {@link RuleCache} current: loads the rule book once at start (retrying until
 * the cluster can answer, then completing {@code loaded}) and follows every change published on the
 * rule topic afterwards.
 */
final class RuleCacheUpdater {
  sealed interface Command {}

  private record Updated(RuleSet set) implements Command {}

  private enum Load implements Command {
    INSTANCE
  }

  private record LoadFailed(Throwable cause) implements Command {}

  private RuleCacheUpdater() {}

  static Behavior<Command> create(
      ActorRef<Topic.Command<RuleSet>> topic,
      RuleCache cache,
      Duration askTimeout,
      Duration retry,
      CompletableFuture<RuleSet> loaded) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  topic.tell(Topic.subscribe(ctx.messageAdapter(RuleSet.class, Updated::new)));
                  ctx.getSelf().tell(Load.INSTANCE);
                  return Behaviors.receive(Command.class)
                      .onMessage(
                          Updated.class,
                          u -> {
                            cache.offer(u.set());
                            loaded.complete(cache.current());
                            return Behaviors.same();
                          })
                      .onMessage(
                          Load.class,
                          load -> {
                            ctx.pipeToSelf(
                                RuleBookEntity.ref(ctx.getSystem())
                                    .ask(RuleBookEntity.Get::new, askTimeout),
                                (set, failure) ->
                                    failure == null ? new Updated(set) : new LoadFailed(failure));
                            return Behaviors.same();
                          })
                      .onMessage(
                          LoadFailed.class,
                          f -> {
                            ctx.getLog()
                                .info(
                                    "Rule book not reachable yet ({}); retrying",
                                    f.cause().toString());
                            timers.startSingleTimer(Load.INSTANCE, retry);
                            return Behaviors.same();
                          })
                      .build();
                }));
  }
}
