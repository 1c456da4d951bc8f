package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.JoinConfigCompatChecker;
import org.apache.pekko.cluster.Valid;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Refuses a node that would join with another home data center than the cluster's ({@link
 * DataCenters#HOME}): its data center would host a second rule book or notifier, writing the
 * persistence ids the first one writes in the journal they share. Pekko runs it on the members a
 * node asks to join ({@code pekko.cluster.configuration-compatibility-check.checkers} in {@code
 * application.conf}); the refused node stops. A node that sends no home data center (a version
 * before it had one, in a rolling update) is let in.
 */
public final class HomeDataCenterCheck extends JoinConfigCompatChecker {
  private static final Seq<String> KEYS =
      CollectionConverters.asScala(List.of(DataCenters.HOME)).toList();

  @Override
  public Seq<String> requiredKeys() {
    return KEYS;
  }

  @Override
  public ConfigValidation check(Config toCheck, Config actualConfig) {
    if (!toCheck.hasPath(DataCenters.HOME)) {
      return Valid.getInstance();
    }
    String joining = toCheck.getString(DataCenters.HOME);
    String here = actualConfig.getString(DataCenters.HOME);
    if (joining.equals(here)) {
      return Valid.getInstance();
    }
    return new Invalid(
        CollectionConverters.asScala(
                List.of(
                    DataCenters.HOME
                        + " is '"
                        + joining
                        + "' on the joining node and '"
                        + here
                        + "' in the cluster: it must be the same on every node"))
            .toList());
  }
}
