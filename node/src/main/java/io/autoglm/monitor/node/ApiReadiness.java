package io.autoglm.monitor.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * A readiness check of the management endpoint ({@code
 * pekko.management.health-checks.readiness-checks.http-api}): the node's HTTP API is bound, which
 * the Guardian does once the rules are loaded. Until then {@code GET /ready} answers 503, so that
 * Kubernetes sends no client to the node yet.
 */
public final class ApiReadiness implements Supplier<CompletionStage<Boolean>> {
  private final CompletableFuture<Object> bound;

  /** Made by pekko-management, by the class name in its configuration. */
  public ApiReadiness(ActorSystem system) {
    this.bound = BINDING.get(system).bound();
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(bound.isDone() && !bound.isCompletedExceptionally());
  }

  /** Makes the checks of {@code system} follow {@code binding}, the HTTP API's. */
  static void follow(ClassicActorSystemProvider system, CompletionStage<?> binding) {
    CompletableFuture<Object> bound = BINDING.get(system.classicSystem()).bound();
    binding.whenComplete(
        (b, failure) -> {
          if (failure == null) {
            bound.complete(b);
          } else {
            bound.completeExceptionally(failure);
          }
        });
  }

  /** Where the check of an actor system finds its node's binding. */
  private record Binding(CompletableFuture<Object> bound) implements Extension {}

  private static final AbstractExtensionId<Binding> BINDING =
      new AbstractExtensionId<>() {
        @Override
        public Binding createExtension(ExtendedActorSystem system) {
          return new Binding(new CompletableFuture<>());
        }
      };
}
