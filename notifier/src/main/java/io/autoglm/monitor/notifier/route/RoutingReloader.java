package io.autoglm.monitor.notifier.route;

import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.persistence.cassandra.NotifierStore.RoutingDoc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Reads the receivers and route tree the API wrote ({@code notifier_routing}) into this node's
 * {@link LiveRouting}: every {@code interval}, and when asked ({@link Reload}, answered once they
 * apply: the API asks after each change it took).
 */
public final class RoutingReloader {
  private RoutingReloader() {}

  public sealed interface Command {}

  /** Read them now; {@code replyTo} (may be null) hears once they apply, or the read failed. */
  public record Reload(ActorRef<Done> replyTo) implements Command {}

  private record Loaded(List<RoutingDoc> docs, Throwable failure, List<ActorRef<Done>> waiting)
      implements Command {}

  public static Behavior<Command> create(LiveRouting live, NotifierStore store, Duration interval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  ctx.setLoggerName(RoutingReloader.class);
                  timers.startTimerWithFixedDelay(new Reload(null), Duration.ZERO, interval);
                  return Behaviors.receive(Command.class)
                      .onMessage(
                          Reload.class,
                          r -> {
                            List<ActorRef<Done>> waiting = new ArrayList<>();
                            if (r.replyTo() != null) {
                              waiting.add(r.replyTo());
                            }
                            ctx.pipeToSelf(
                                store.routingDocs(),
                                (docs, failure) -> new Loaded(docs, failure, waiting));
                            return Behaviors.same();
                          })
                      .onMessage(
                          Loaded.class,
                          l -> {
                            if (l.failure() != null) {
                              ctx.getLog()
                                  .warn(
                                      "Could not read the API's receivers and route ({}); keeping"
                                          + " what applies",
                                      l.failure().toString());
                            } else {
                              LiveRouting.Current before = live.current();
                              LiveRouting.Current now = live.apply(l.docs());
                              if (!now.apiReceivers().equals(before.apiReceivers())
                                  || !java.util.Objects.equals(now.apiRoute(), before.apiRoute())) {
                                ctx.getLog()
                                    .info(
                                        "Routing now: receivers {}, route from {}",
                                        new java.util.TreeSet<>(now.routing().receivers().keySet()),
                                        now.source());
                              }
                            }
                            l.waiting().forEach(w -> w.tell(Done.getInstance()));
                            return Behaviors.same();
                          })
                      .build();
                }));
  }
}
