package io.autoglm.monitor.notifier.net;

import io.autoglm.monitor.notifier.channel.robot.OutgoingRequest;
import io.autoglm.monitor.notifier.net.UrlGuard.RefusedUrlException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.util.ByteString;

/**
 * Sends a channel's {@link OutgoingRequest} through Pekko HTTP behind the {@link UrlGuard}: the URL
 * is checked before anything is sent, every connection goes to an address the guard resolved and
 * checked (a custom resolver, so no second lookup can answer otherwise), and a redirect is followed
 * (at most {@value #MAX_REDIRECTS}, the same method and body for 307 and 308) only to a URL the
 * guard lets through. A refused URL fails the send with a {@link RefusedUrlException}. Answers the
 * final status and the start of the body.
 */
public final class GuardedHttp {
  /** A receiver's answer: its status and up to {@value #MAX_BODY} bytes of its body. */
  public record Reply(int status, String body) {}

  static final int MAX_REDIRECTS = 3;

  static final int MAX_BODY = 64 * 1024;

  private final ActorSystem<?> system;
  private final UrlGuard guard;
  private final Duration timeout;
  private final ConnectionPoolSettings pool;

  /** Connections to one receiver host at once (a node's workers share them). */
  static final int MAX_CONNECTIONS_PER_HOST = 64;

  public GuardedHttp(ActorSystem<?> system, UrlGuard guard, Duration timeout) {
    this.system = system;
    this.guard = guard;
    this.timeout = timeout;
    Executor lookups = system.dispatchers().lookup(DispatcherSelector.blocking());
    ClientTransport checked =
        ClientTransport.withCustomResolver(
            (host, port) ->
                CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        return guard.resolve(host, (Integer) port);
                      } catch (RefusedUrlException e) {
                        throw new CompletionException(e);
                      } catch (java.net.UnknownHostException e) {
                        throw new CompletionException(e);
                      }
                    },
                    lookups));
    // Pekko's default of 4 connections per host would queue the deliveries a worker has on their
    // way at once (64) behind one another: a slow receiver would hold up the alerts after it
    this.pool =
        ConnectionPoolSettings.create(system.classicSystem())
            .withTransport(checked)
            .withMaxConnections(MAX_CONNECTIONS_PER_HOST)
            .withMaxOpenRequests(256);
    // a pool of its own (its transport): closed before the system goes, or its master logs an
    // error for every pool that "shut down unexpectedly"
    CoordinatedShutdown.get(system.classicSystem())
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-guarded-http-pools-" + POOLS.incrementAndGet(),
            () ->
                Http.get(system.classicSystem())
                    .shutdownAllConnectionPools()
                    .thenApply(closed -> Done.getInstance()));
  }

  private static final AtomicInteger POOLS = new AtomicInteger();

  /** Sends {@code request}; fails with a {@link RefusedUrlException} for a refused URL. */
  public CompletionStage<Reply> send(OutgoingRequest request) {
    return send(request, request.url(), 0);
  }

  private CompletionStage<Reply> send(OutgoingRequest request, URI url, int redirects) {
    try {
      guard.check(url.toString());
    } catch (RefusedUrlException e) {
      return CompletableFuture.failedFuture(
          redirects == 0
              ? e
              : new RefusedUrlException("redirect to " + url + ": " + e.getMessage()));
    }
    HttpRequest http =
        HttpRequest.create(url.toString())
            .withMethod(HttpMethods.lookup(request.method()).orElse(HttpMethods.POST))
            .withEntity(ContentTypes.parse(request.contentType()), request.body());
    for (var h : request.headers().entrySet()) {
      http = http.addHeader(RawHeader.create(h.getKey(), h.getValue()));
    }
    Http client = Http.get(system);
    return client
        .singleRequest(http, client.defaultClientHttpsContext(), pool, system.classicSystem().log())
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(response -> answer(request, url, redirects, response));
  }

  private CompletionStage<Reply> answer(
      OutgoingRequest request, URI url, int redirects, HttpResponse response) {
    int status = response.status().intValue();
    var location = response.getHeader(Location.class);
    if (status >= 300 && status < 400 && location.isPresent()) {
      response.discardEntityBytes(system);
      if (redirects >= MAX_REDIRECTS) {
        return CompletableFuture.completedFuture(
            new Reply(status, "more than " + MAX_REDIRECTS + " redirects; not followed"));
      }
      URI next = url.resolve(location.get().getUri().toString());
      boolean keepsMethod = status == 307 || status == 308;
      OutgoingRequest again =
          keepsMethod
              ? request
              : new OutgoingRequest(
                  "GET", next, request.contentType(), request.headers(), new byte[0]);
      return send(again, next, redirects + 1);
    }
    return response
        .entity()
        .withoutSizeLimit()
        .getDataBytes()
        .limitWeighted(MAX_BODY, b -> (long) b.size())
        .runFold(ByteString.emptyByteString(), ByteString::concat, system)
        .exceptionally(tooLong -> ByteString.fromString("(answer over " + MAX_BODY + " bytes)"))
        .thenApply(body -> new Reply(status, body.utf8String()));
  }
}
