package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The readiness check of the HTTP API: ready once, and only if, the API is bound. A check follows
 * the binding of its own actor system, so each case has one.
 */
class ApiReadinessTest {
  private static final Config LOCAL =
      ConfigFactory.parseString("pekko.actor.provider = local")
          .withFallback(ConfigFactory.defaultReference());
  private static final ActorTestKit bound = ActorTestKit.create("ApiReadinessTest", LOCAL);
  private static final ActorTestKit failed = ActorTestKit.create("ApiReadinessFailed", LOCAL);

  @AfterAll
  static void stop() {
    bound.shutdownTestKit();
    failed.shutdownTestKit();
  }

  private static boolean ready(ActorTestKit kit) {
    return new ApiReadiness(kit.system().classicSystem()).get().toCompletableFuture().join();
  }

  @Test
  void readyOnceBound() {
    CompletableFuture<Object> binding = new CompletableFuture<>();
    ApiReadiness.follow(bound.system(), binding);
    assertFalse(ready(bound));
    binding.complete("bound");
    assertTrue(ready(bound));
  }

  @Test
  void neverReadyWhenTheBindingFailed() {
    CompletableFuture<Object> binding = new CompletableFuture<>();
    ApiReadiness.follow(failed.system(), binding);
    binding.completeExceptionally(new IllegalStateException("port taken"));
    assertFalse(ready(failed));
  }
}
