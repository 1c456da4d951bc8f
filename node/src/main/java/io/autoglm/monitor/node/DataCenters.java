package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import io.autoglm.monitor.sharding.DataCenterScope;

/**
 * The data center this node is in ({@code pekko.cluster.multi-data-center.self-data-center},
 * environment {@code AUTOGLM_DATA_CENTER}) and the cluster's home data center ({@value #HOME},
 * environment {@code AUTOGLM_HOME_DATA_CENTER}), where the one rule book and the one notifier run
 * (README "Two data centers"). Pekko's singletons and sharding are per data center; what must be
 * one for the whole cluster is hosted by the nodes of the home data center only, and the nodes of
 * the others reach it through proxies. Both are Pekko's {@code default} unless set, as in a cluster
 * of one data center.
 *
 * @param self this node's data center
 * @param home the data center of the rule book and the notifier (the same on every node)
 */
public record DataCenters(String self, String home) {

  public static final String HOME = "autoglm.cluster.home-data-center";

  public DataCenters {
    if (home.isBlank()) {
      throw new IllegalArgumentException(
          HOME + " (environment AUTOGLM_HOME_DATA_CENTER) must name a data center");
    }
  }

  /**
   * Refuses a data center name the entities' persistence ids cannot carry ({@link
   * DataCenterScope}).
   */
  public static DataCenters fromConfig(Config config) {
    return new DataCenters(DataCenterScope.fromConfig(config).dataCenter(), config.getString(HOME));
  }

  /** Whether this node is in the home data center (whose nodes host the rule book and notifier). */
  public boolean atHome() {
    return self.equals(home);
  }
}
