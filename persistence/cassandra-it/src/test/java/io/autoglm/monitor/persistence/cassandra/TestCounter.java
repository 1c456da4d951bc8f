package io.autoglm.monitor.persistence.cassandra;

import io.autoglm.monitor.protocols.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A minimal event-sourced entity for exercising the Cassandra journal and snapshot store: events
 * and state go through the project's jackson-cbor binding, and a snapshot is taken every two
 * events.
 */
final class TestCounter
    extends EventSourcedBehavior<TestCounter.Command, TestCounter.Added, TestCounter.State> {

  static final String ENTITY_TYPE = "TestCounter";

  sealed interface Command extends CborSerializable {}

  record Add(int amount, ActorRef<State> replyTo) implements Command {}

  record Get(ActorRef<State> replyTo) implements Command {}

  record Added(String counterId, int amount) implements CborSerializable {}

  record State(int total, int events) implements CborSerializable {
    static final State EMPTY = new State(0, 0);

    State apply(Added added) {
      return new State(total + added.amount(), events + 1);
    }
  }

  private final String counterId;

  private TestCounter(String counterId) {
    super(PersistenceId.of(ENTITY_TYPE, counterId));
    this.counterId = counterId;
  }

  static Behavior<Command> create(String counterId) {
    return new TestCounter(counterId);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Added, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Add.class, this::onAdd)
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
        .build();
  }

  private Effect<Added, State> onAdd(State state, Add add) {
    return Effect().persist(new Added(counterId, add.amount())).thenReply(add.replyTo(), s -> s);
  }

  @Override
  public EventHandler<State, Added> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Added.class, State::apply).build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(2, 1);
  }
}
