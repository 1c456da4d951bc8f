package io.autoglm.monitor.sharding;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * How the ingest path reaches an entity by type and id: through cluster sharding on a node, or
 * through actors of this JVM alone in a backtest ({@link #local}), which runs the same entities
 * without a cluster.
 */
public interface EntityRefs {
  <M> RecipientRef<M> ref(EntityTypeKey<M> type, String entityId);

  /** The scheduler asks time out on. */
  Scheduler scheduler();

  /** The entities of the cluster, through sharding. */
  static EntityRefs sharded(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return new EntityRefs() {
      @Override
      public <M> RecipientRef<M> ref(EntityTypeKey<M> type, String entityId) {
        return sharding.entityRefFor(type, entityId);
      }

      @Override
      public Scheduler scheduler() {
        return system.scheduler();
      }
    };
  }

  /**
   * Entities as plain actors of {@code system}, each started on first use from its type's behavior
   * ({@code behaviors}: type name → entity id → behavior) and kept for the system's life.
   */
  static EntityRefs local(
      ActorSystem<?> system, Map<String, Function<String, Behavior<?>>> behaviors) {
    Map<String, ActorRef<?>> started = new ConcurrentHashMap<>();
    return new EntityRefs() {
      @Override
      @SuppressWarnings("unchecked")
      public <M> RecipientRef<M> ref(EntityTypeKey<M> type, String entityId) {
        String name = type.name() + "-" + URLEncoder.encode(entityId, StandardCharsets.UTF_8);
        return (ActorRef<M>)
            started.computeIfAbsent(
                name,
                n -> {
                  Function<String, Behavior<?>> make = behaviors.get(type.name());
                  if (make == null) {
                    throw new IllegalArgumentException("no local behavior for " + type.name());
                  }
                  return system.systemActorOf((Behavior<M>) make.apply(entityId), n, Props.empty());
                });
      }

      @Override
      public Scheduler scheduler() {
        return system.scheduler();
      }
    };
  }
}
