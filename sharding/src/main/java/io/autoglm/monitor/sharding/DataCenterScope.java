package io.autoglm.monitor.sharding;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The names under which this node's data center keeps what it owns in the journal and the history,
 * which every data center shares.
 *
 * <p>Sharding is per data center (README "Two data centers"): each one runs its own incarnation of
 * an endpoint, source-IP group or catalog entity, counting only the traffic sent to its nodes. Were
 * two of them to write one persistence id at once, the journal would interleave their events (two
 * writers of one id, a corrupt replay), and their minutes would overwrite each other in the
 * history. So outside the {@link #DEFAULT} data center the name carries the data center's: {@code
 * EndpointStats|dc2|default/v1/chat} where the default data center has {@code
 * EndpointStats|default/v1/chat}. A cluster of one data center (every node in Pekko's {@code
 * default}) names everything as before, and keeps its data.
 *
 * @param dataCenter this node's ({@code pekko.cluster.multi-data-center.self-data-center})
 */
public record DataCenterScope(String dataCenter) {

  /** Pekko's data center of a node that names none. */
  public static final String DEFAULT_DATA_CENTER = "default";

  public static final DataCenterScope DEFAULT = new DataCenterScope(DEFAULT_DATA_CENTER);

  /** Where Pekko reads a node's data center (the cluster reads it at start). */
  public static final String SELF_DATA_CENTER = "pekko.cluster.multi-data-center.self-data-center";

  private static final char SEPARATOR = '|';

  public DataCenterScope {
    if (dataCenter.isEmpty() || dataCenter.indexOf(SEPARATOR) >= 0) {
      throw new IllegalArgumentException(
          SELF_DATA_CENTER + " must be a name without '|', not '" + dataCenter + "'");
    }
  }

  public static DataCenterScope fromConfig(Config config) {
    return new DataCenterScope(config.getString(SELF_DATA_CENTER));
  }

  /** The scope of the data center {@code system}'s node is in. */
  public static DataCenterScope of(ActorSystem<?> system) {
    return fromConfig(system.settings().config());
  }

  /**
   * The persistence id of this data center's entity {@code entityId} of {@code type}: Pekko's
   * {@code Type|id} in the default data center, else {@code Type|dataCenter|id}. Pekko refuses a
   * '|' in an entity id, this class in a data center's name: an id of one data center is never
   * another's.
   */
  public PersistenceId persistenceId(EntityTypeKey<?> type, String entityId) {
    PersistenceId inDefault = PersistenceId.of(type.name(), entityId); // refuses a '|' in the id
    return isDefault()
        ? inDefault
        : PersistenceId.ofUniqueId(type.name() + SEPARATOR + qualified(entityId));
  }

  /**
   * {@code name} as this data center's: unchanged in the default data center, else after the data
   * center's name and a '|'.
   */
  public String qualified(String name) {
    return isDefault() ? name : dataCenter + SEPARATOR + name;
  }

  public boolean isDefault() {
    return dataCenter.equals(DEFAULT_DATA_CENTER);
  }
}
