package io.autoglm.monitor.sharding.catalog;

import io.autoglm.monitor.persistence.event.CatalogEvent;
import io.autoglm.monitor.persistence.event.CatalogEvent.NamesAdmitted;
import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.sharding.DataCenterScope;
import io.autoglm.monitor.sharding.RestartBackoff;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A bounded set of admitted names, one writer for the whole cluster: the services ({@link
 * #SERVICES}) and, per service, its endpoints ({@link #endpointsOf}). A name is admitted while the
 * catalog holds fewer than its limit; once full, a catalog admits nothing more, so every node folds
 * the same names into {@code (other)} whichever node saw them first. Admitted names are never
 * dropped: an endpoint keeps its own statistics for as long as the catalog exists.
 *
 * <p>Nodes ask only about names they have not seen yet and remember the answers ({@link
 * EndpointAdmission}), so a catalog hears of each name about once per node.
 */
public final class CatalogEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        CatalogEntity.Command, CatalogEvent, CatalogState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "Catalog");

  /** The catalog of services. */
  public static final String SERVICES = "services";

  private static final String ENDPOINTS_PREFIX = "endpoints:";

  /** The catalog of the endpoint paths of {@code service}. */
  public static String endpointsOf(String service) {
    return ENDPOINTS_PREFIX + service;
  }

  public sealed interface Command extends CborSerializable {}

  /**
   * Admits as many of {@code names} as fit (in their order) and answers which of them are in the
   * catalog now.
   */
  public record Admit(List<String> names, ActorRef<Admission> replyTo) implements Command {}

  /**
   * @param admitted those of the asked names that are in the catalog
   * @param full whether the catalog admits no more names
   */
  public record Admission(Set<String> admitted, boolean full) implements CborSerializable {}

  public record Get(ActorRef<Listing> replyTo) implements Command {}

  /** Every admitted name, and the catalog's limit. */
  public record Listing(Set<String> names, int limit) implements CborSerializable {
    public boolean full() {
      return names.size() >= limit;
    }
  }

  private final int limit;
  private final String catalogId;

  public static void init(ActorSystem<?> system, ToIntFunction<String> limitOf) {
    RestartBackoff backoff = RestartBackoff.fromConfig(system.settings().config());
    DataCenterScope dataCenter = DataCenterScope.of(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_TYPE_KEY,
                ctx ->
                    create(
                        ctx.getEntityId(),
                        limitOf.applyAsInt(ctx.getEntityId()),
                        backoff,
                        dataCenter)));
  }

  public static EntityRef<Command> ref(ActorSystem<?> system, String catalogId) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, catalogId);
  }

  /** A catalog of the default data center. */
  public static Behavior<Command> create(String catalogId, int limit, RestartBackoff backoff) {
    return create(catalogId, limit, backoff, DataCenterScope.DEFAULT);
  }

  /**
   * @param dataCenter names the catalog's persistence id: each data center admits its own endpoints
   */
  public static Behavior<Command> create(
      String catalogId, int limit, RestartBackoff backoff, DataCenterScope dataCenter) {
    return Behaviors.setup(
        ctx ->
            new CatalogEntity(
                dataCenter.persistenceId(ENTITY_TYPE_KEY, catalogId), catalogId, limit, backoff));
  }

  private CatalogEntity(
      PersistenceId persistenceId, String catalogId, int limit, RestartBackoff backoff) {
    super(persistenceId, backoff.strategy());
    this.catalogId = catalogId;
    this.limit = limit;
  }

  @Override
  public CatalogState emptyState() {
    return CatalogState.empty(catalogId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, CatalogEvent, CatalogState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Admit.class, this::onAdmit)
        .onCommand(
            Get.class,
            (state, cmd) -> Effect().reply(cmd.replyTo(), new Listing(state.names(), limit)))
        .build();
  }

  private ReplyEffect<CatalogEvent, CatalogState> onAdmit(CatalogState state, Admit cmd) {
    List<String> joining = new ArrayList<>();
    int room = Math.max(0, limit - state.names().size());
    for (String name : new LinkedHashSet<>(cmd.names())) {
      if (joining.size() >= room) {
        break;
      }
      if (!state.names().contains(name)) {
        joining.add(name);
      }
    }
    if (joining.isEmpty()) {
      return Effect().reply(cmd.replyTo(), admission(state, cmd.names()));
    }
    return Effect()
        .persist(new NamesAdmitted(catalogId, List.copyOf(joining)))
        .thenReply(cmd.replyTo(), after -> admission(after, cmd.names()));
  }

  private Admission admission(CatalogState state, List<String> asked) {
    Set<String> admitted = new HashSet<>();
    for (String name : asked) {
      if (state.names().contains(name)) {
        admitted.add(name);
      }
    }
    return new Admission(Set.copyOf(admitted), state.names().size() >= limit);
  }

  @Override
  public EventHandler<CatalogState, CatalogEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(CatalogState::apply);
  }
}
