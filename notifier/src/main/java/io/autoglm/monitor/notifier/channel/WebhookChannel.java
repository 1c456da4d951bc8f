package io.autoglm.monitor.notifier.channel;

import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import io.autoglm.monitor.notifier.net.GuardedHttp;
import io.autoglm.monitor.notifier.net.UrlGuard;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Delivers alerts to one HTTP endpoint as signed Alertmanager webhook payloads ({@link
 * SignedWebhook}), one at a time and in order (a resolve never overtakes its firing), behind the
 * SSRF guard ({@link GuardedHttp}), retrying failures with exponential backoff. A 2xx answer is
 * success; 408, 429 and 5xx answers and connection errors are retried; other 4xx answers mean the
 * receiver rejects the payload, and a URL the guard refuses stays refused: neither is retried.
 */
public final class WebhookChannel extends AbstractBehavior<WebhookChannel.Command> {

  public sealed interface Command {}

  public record Deliver(Alert alert) implements Command {}

  private record Attempt(Alert alert, int attempt) implements Command {}

  private record Answered(Alert alert, int attempt, int status, Throwable failure)
      implements Command {}

  private final WebhookSettings settings;
  private final GuardedHttp http;
  private final TimerScheduler<Command> timers;
  private final Deque<Alert> queue = new ArrayDeque<>();
  private boolean busy;

  public static Behavior<Command> create(WebhookSettings settings) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new WebhookChannel(ctx, timers, settings)));
  }

  private WebhookChannel(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, WebhookSettings settings) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.http = new GuardedHttp(ctx.getSystem(), settings.guard(), settings.requestTimeout());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(Attempt.class, this::onAttempt)
        .onMessage(Answered.class, this::onAnswered)
        .build();
  }

  private Behavior<Command> onDeliver(Deliver d) {
    queue.addLast(d.alert());
    startNextIfIdle();
    return this;
  }

  private void startNextIfIdle() {
    if (!busy && !queue.isEmpty()) {
      busy = true;
      getContext().getSelf().tell(new Attempt(queue.pollFirst(), 1));
    }
  }

  private Behavior<Command> onAttempt(Attempt a) {
    OutgoingRequest request =
        SignedWebhook.request(settings, a.alert(), System.currentTimeMillis());
    getContext()
        .pipeToSelf(
            http.send(request),
            (reply, failure) ->
                reply != null
                    ? new Answered(a.alert(), a.attempt(), reply.status(), null)
                    : new Answered(a.alert(), a.attempt(), 0, unwrap(failure)));
    return this;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private Behavior<Command> onAnswered(Answered r) {
    if (r.failure() == null && r.status() >= 200 && r.status() < 300) {
      getContext()
          .getLog()
          .info(
              "Webhook delivered {} {} (attempt {})",
              r.alert().status().wireName(),
              r.alert().fingerprint(),
              r.attempt());
      return next();
    }
    String why = r.failure() != null ? r.failure().toString() : "HTTP " + r.status();
    // a URL the SSRF guard refuses (the webhook's, or where it redirects) stays refused
    boolean refused = r.failure() instanceof UrlGuard.RefusedUrlException;
    boolean retryable =
        !refused
            && (r.failure() != null || r.status() == 408 || r.status() == 429 || r.status() >= 500);
    if (!retryable || r.attempt() >= settings.maxAttempts()) {
      getContext()
          .getLog()
          .error(
              "Webhook gave up on {} {} after {} attempt(s): {}",
              r.alert().status().wireName(),
              r.alert().fingerprint(),
              r.attempt(),
              why);
      return next();
    }
    Duration backoff = settings.backoff(r.attempt() + 1);
    getContext()
        .getLog()
        .warn(
            "Webhook attempt {} for {} failed ({}); retrying in {} ms",
            r.attempt(),
            r.alert().fingerprint(),
            why,
            backoff.toMillis());
    timers.startSingleTimer(new Attempt(r.alert(), r.attempt() + 1), backoff);
    return this;
  }

  private Behavior<Command> next() {
    busy = false;
    startNextIfIdle();
    return this;
  }
}
