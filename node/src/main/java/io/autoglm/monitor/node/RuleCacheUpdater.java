package io.autoglm.monitor.node;

import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.RuleBookEntity;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * Keeps this node's {@link RuleCache} current: loads the rule book once at start (retrying until
 * the cluster can answer, then completing {@code loaded}) and follows every change published on the
 * rule topic afterwards.
 *
 * <p>Pub-sub is not enough on its own: a topic sends only to the nodes whose subscribers it knows
 * of, and it learns of a new node's a few seconds after the node joined (the receptionist's
 * gossip). A change made in that time never reaches the node, and it would run without it until the
 * next change. So every {@code syncInterval} the updater also asks the rule book whether it holds a
 * newer version ({@link RuleBookEntity.GetIfNewer}: an answer of a few bytes when not).
 *
 * <p>A node with configured rules ({@code autoglm.rules.install}) loads by installing them ({@link
 * RuleBookEntity.Install}: created or updated, every other rule left alone), so the node serves its
 * API only once they are in the rule book.
 *
 * <p>In a data center other than the rule book's home, both go across the data centers: while they
 * are cut off, the node keeps the rules it has (and cannot load them, so a node starting then waits
 * for the link).
 */
final class RuleCacheUpdater {
  sealed interface Command {}

  private record Updated(RuleSet set) implements Command {}

  private enum Load implements Command {
    INSTANCE
  }

  private record LoadFailed(Throwable cause) implements Command {}

  /** The rule book refused the configured rules (too many): load the rules without them. */
  private record InstallRefused(String reason) implements Command {}

  private enum Sync implements Command {
    INSTANCE
  }

  private record Synced(RuleSet newer) implements Command {}

  private record SyncFailed(Throwable cause) implements Command {}

  private RuleCacheUpdater() {}

  /** Without configured rules. */
  static Behavior<Command> create(
      ActorRef<Topic.Command<RuleSet>> topic,
      EntityRef<RuleBookEntity.Command> ruleBook,
      RuleCache cache,
      Duration askTimeout,
      Duration retry,
      Duration syncInterval,
      CompletableFuture<RuleSet> loaded) {
    return create(topic, ruleBook, cache, askTimeout, retry, syncInterval, loaded, List.of());
  }

  /**
   * @param ruleBook the cluster's rule book, in this node's data center or through a proxy to its
   *     home data center
   */
  static Behavior<Command> create(
      ActorRef<Topic.Command<RuleSet>> topic,
      EntityRef<RuleBookEntity.Command> ruleBook,
      RuleCache cache,
      Duration askTimeout,
      Duration retry,
      Duration syncInterval,
      CompletableFuture<RuleSet> loaded,
      List<ThresholdRule> configured) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  // a functional behavior's log is named after Pekko's class, not this one
                  ctx.setLoggerName(RuleCacheUpdater.class);
                  topic.tell(Topic.subscribe(ctx.messageAdapter(RuleSet.class, Updated::new)));
                  AtomicBoolean install = new AtomicBoolean(!configured.isEmpty());
                  ctx.getSelf().tell(Load.INSTANCE);
                  timers.startTimerWithFixedDelay(Sync.INSTANCE, syncInterval);
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
                            if (install.get()) {
                              ctx.pipeToSelf(
                                  ruleBook.<StatusReply<RuleSet>>ask(
                                      replyTo -> new RuleBookEntity.Install(configured, replyTo),
                                      askTimeout),
                                  (reply, failure) ->
                                      failure != null
                                          ? new LoadFailed(failure)
                                          : reply.isError()
                                              ? new InstallRefused(reply.getError().getMessage())
                                              : new Updated(reply.getValue()));
                              return Behaviors.same();
                            }
                            ctx.pipeToSelf(
                                ruleBook.ask(RuleBookEntity.Get::new, askTimeout),
                                (set, failure) ->
                                    failure == null ? new Updated(set) : new LoadFailed(failure));
                            return Behaviors.same();
                          })
                      .onMessage(
                          InstallRefused.class,
                          r -> {
                            ctx.getLog()
                                .error(
                                    "The configured rules (autoglm.rules.install) were not"
                                        + " installed: {}",
                                    r.reason());
                            install.set(false);
                            ctx.getSelf().tell(Load.INSTANCE);
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
                      .onMessage(
                          Sync.class,
                          sync -> {
                            long known = cache.current().version();
                            ctx.pipeToSelf(
                                ruleBook.<RuleBookEntity.IfNewer>ask(
                                    replyTo -> new RuleBookEntity.GetIfNewer(known, replyTo),
                                    askTimeout),
                                (answer, failure) ->
                                    failure == null
                                        ? new Synced(answer.newer())
                                        : new SyncFailed(failure));
                            return Behaviors.same();
                          })
                      .onMessage(
                          Synced.class,
                          s -> {
                            if (s.newer() != null && cache.offer(s.newer())) {
                              ctx.getLog()
                                  .info(
                                      "Rule book version {} found by the periodic check (its"
                                          + " update did not arrive over pub-sub)",
                                      s.newer().version());
                              loaded.complete(cache.current());
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          SyncFailed.class,
                          f -> {
                            ctx.getLog().debug("Rule book check failed ({})", f.cause().toString());
                            return Behaviors.same();
                          })
                      .build();
                }));
  }
}
