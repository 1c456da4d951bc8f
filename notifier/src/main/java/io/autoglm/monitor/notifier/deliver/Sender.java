package io.autoglm.monitor.notifier.deliver;

import io.autoglm.monitor.notifier.channel.email.EmailSender;
import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.net.GuardedHttp;
import io.autoglm.monitor.notifier.net.UrlGuard;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Makes one attempt at a delivery and says what the receiver answered. */
@FunctionalInterface
public interface Sender {
  CompletionStage<Answer> attempt(Delivery delivery);

  /**
   * HTTP deliveries through {@code http} (behind the SSRF guard), email through {@code smtp} on
   * {@code blocking} (SMTP is blocking I/O). A URL the guard refuses is an answer not worth
   * retrying; a connection failure or timeout is one worth retrying.
   */
  static Sender of(GuardedHttp http, Optional<EmailSender> smtp, Executor blocking) {
    return delivery -> {
      if (delivery instanceof Delivery.Http h) {
        return http.send(h.request())
            .handle(
                (reply, failure) -> {
                  if (reply != null) {
                    return h.judge().judge(reply.status(), reply.body());
                  }
                  Throwable cause = failure;
                  while (cause.getCause() != null
                      && !(cause instanceof UrlGuard.RefusedUrlException)) {
                    cause = cause.getCause();
                  }
                  return cause instanceof UrlGuard.RefusedUrlException
                      ? Answer.failed(false, "refused: " + cause.getMessage())
                      : Answer.failed(true, String.valueOf(cause.getMessage()));
                });
      }
      Delivery.Mail m = (Delivery.Mail) delivery;
      if (smtp.isEmpty()) {
        return CompletableFuture.completedFuture(
            Answer.failed(false, "no SMTP server configured (autoglm.notifier.smtp.host)"));
      }
      return CompletableFuture.supplyAsync(
          () ->
              smtp.get()
                  .send(m.to(), m.subject(), m.text(), m.html(), m.idempotencyKey(), Instant.now()),
          blocking);
    };
  }
}
