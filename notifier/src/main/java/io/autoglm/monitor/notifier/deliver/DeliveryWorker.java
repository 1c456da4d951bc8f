package io.autoglm.monitor.notifier.deliver;

import io.autoglm.monitor.notifier.channel.robot.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;

/**
 * Delivers to one channel of one receiver, up to {@link #MAX_IN_FLIGHT} deliveries at once, those
 * of one alert one at a time and in order (a resolve never overtakes its firing): each attempt
 * through the {@link Sender}, answers worth it retried with exponential backoff up to a cap, every
 * attempt reported to the audit. A circuit breaker (Pekko's) counts the channel's failed attempts:
 * after {@code breakerFailures} in a row it opens, and the deliveries waiting fail at once
 * ("breaker open") for {@code breakerReset} (doubling while the channel stays down), so the
 * receiver's route can fail over to its next channel instead of waiting out every retry. Every
 * outcome goes back to whoever asked.
 */
public final class DeliveryWorker extends AbstractBehavior<DeliveryWorker.Command> {

  /** How hard a worker tries. */
  public record Settings(
      int maxAttempts,
      Duration minBackoff,
      Duration maxBackoff,
      Duration attemptTimeout,
      int breakerFailures,
      Duration breakerReset) {

    /**
     * The node's settings ({@code autoglm.notifier.webhook.*}: attempts, backoff; an attempt may
     * take twice the request timeout); the breaker opens after 5 failed attempts in a row and tries
     * again after 30 s.
     */
    public static Settings of(io.autoglm.monitor.notifier.channel.WebhookSettings w) {
      return new Settings(
          w.maxAttempts(),
          w.minBackoff(),
          w.maxBackoff(),
          w.requestTimeout().multipliedBy(2),
          5,
          Duration.ofSeconds(30));
    }

    Duration backoff(int nextAttempt) {
      long ms = minBackoff.toMillis() << Math.min(20, Math.max(0, nextAttempt - 2));
      return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }
  }

  /** One attempt, for the audit. */
  public record Attempt(
      String receiver,
      String channel,
      String idempotencyKey,
      int attempt,
      boolean delivered,
      boolean retryable,
      long latencyMs,
      String error,
      Instant at) {}

  /** How a delivery ended: delivered, or not and why (after how many attempts). */
  public record Outcome(Delivery delivery, boolean delivered, int attempts, String error) {}

  public sealed interface Command {}

  /**
   * A delivery to make. Deliveries with the same {@code orderKey} (the alert's fingerprint: a
   * resolve never overtakes its firing) go one at a time, in order; others go side by side, up to
   * {@link #MAX_IN_FLIGHT} at once.
   */
  public record Send(Delivery delivery, String orderKey, ActorRef<Outcome> replyTo)
      implements Command {
    /** A delivery ordered after every other one sent this way: one at a time. */
    public Send(Delivery delivery, ActorRef<Outcome> replyTo) {
      this(delivery, "", replyTo);
    }
  }

  /**
   * Deliveries of one worker on their way at once: a burst of alert changes (a whole service
   * failing in one second) drains in bursts of this size, one receiver round trip each.
   */
  static final int MAX_IN_FLIGHT = 64;

  /** How far down the queue a free slot looks for a delivery it may start. */
  private static final int MAX_LOOK_AHEAD = 1_000;

  private record Try(Send send, int attempt) implements Command {}

  private record Answered(Send send, int attempt, Answer answer, long latencyMs)
      implements Command {}

  private final Settings settings;
  private final Sender sender;
  private final Consumer<Attempt> audit;
  private final TimerScheduler<Command> timers;
  private final CircuitBreaker breaker;
  private final Deque<Send> queue = new ArrayDeque<>();
  private final java.util.Set<String> ordersInFlight = new java.util.HashSet<>();

  public static Behavior<Command> create(
      Settings settings, Sender sender, Consumer<Attempt> audit) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new DeliveryWorker(ctx, timers, settings, sender, audit)));
  }

  private DeliveryWorker(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Settings settings,
      Sender sender,
      Consumer<Attempt> audit) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.sender = sender;
    this.audit = audit;
    this.breaker =
        CircuitBreaker.create(
                ctx.getSystem().classicSystem().scheduler(),
                settings.breakerFailures(),
                settings.attemptTimeout(),
                settings.breakerReset())
            .withExponentialBackoff(settings.breakerReset().multipliedBy(16));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Send.class, this::onSend)
        .onMessage(Try.class, this::onTry)
        .onMessage(Answered.class, this::onAnswered)
        .build();
  }

  private Behavior<Command> onSend(Send s) {
    queue.addLast(s);
    startNextIfIdle();
    return this;
  }

  /** Starts the queued deliveries that may go now: free slots, and nothing before them in order. */
  private void startNextIfIdle() {
    int looked = 0;
    for (var it = queue.iterator();
        it.hasNext() && ordersInFlight.size() < MAX_IN_FLIGHT && looked++ < MAX_LOOK_AHEAD; ) {
      Send next = it.next();
      if (ordersInFlight.add(next.orderKey())) {
        it.remove();
        getContext().getSelf().tell(new Try(next, 1));
      }
    }
  }

  private Behavior<Command> onTry(Try t) {
    long started = System.nanoTime();
    getContext()
        .pipeToSelf(
            breaker.callWithCircuitBreakerCS(
                () -> sender.attempt(t.send().delivery()),
                // an answer that did not deliver counts against the channel as a failure does
                (answer, failure) -> failure.isPresent() || !answer.get().delivered()),
            (answer, failure) ->
                new Answered(
                    t.send(),
                    t.attempt(),
                    answer != null
                        ? answer
                        : failure instanceof CircuitBreakerOpenException
                            ? Answer.failed(
                                false,
                                "breaker open: the channel failed "
                                    + settings.breakerFailures()
                                    + " times in a row")
                            : Answer.failed(true, String.valueOf(failure.getMessage())),
                    (System.nanoTime() - started) / 1_000_000));
    return this;
  }

  /** Tells the audit; a failing audit never stops a delivery. */
  private void report(Attempt attempt) {
    try {
      audit.accept(attempt);
    } catch (RuntimeException e) {
      getContext().getLog().error("The audit failed to take an attempt: {}", attempt, e);
    }
  }

  private Behavior<Command> onAnswered(Answered a) {
    Delivery d = a.send().delivery();
    Answer answer = a.answer();
    report(
        new Attempt(
            d.receiver(),
            d.channel(),
            d.idempotencyKey(),
            a.attempt(),
            answer.delivered(),
            answer.retryable(),
            a.latencyMs(),
            answer.error(),
            Instant.now()));
    if (!answer.delivered() && answer.retryable() && a.attempt() < settings.maxAttempts()) {
      timers.startSingleTimer(
          new Try(a.send(), a.attempt() + 1), settings.backoff(a.attempt() + 1));
      return this;
    }
    a.send().replyTo().tell(new Outcome(d, answer.delivered(), a.attempt(), answer.error()));
    ordersInFlight.remove(a.send().orderKey());
    startNextIfIdle();
    return this;
  }
}
