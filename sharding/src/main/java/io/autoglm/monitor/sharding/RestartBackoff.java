package io.autoglm.monitor.sharding;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * How an event-sourced entity restarts after its journal failed a write ({@code
 * autoglm.entities.restart-backoff}): it recovers from the journal after a growing pause. The
 * commands of the failed write get no reply, so their senders send again; nothing that was
 * acknowledged is lost, and nothing unacknowledged is counted.
 */
public record RestartBackoff(Duration min, Duration max, double randomFactor) {

  public static RestartBackoff fromConfig(Config root) {
    Config c = root.getConfig("autoglm.entities.restart-backoff");
    return new RestartBackoff(
        c.getDuration("min"), c.getDuration("max"), c.getDouble("random-factor"));
  }

  public BackoffSupervisorStrategy strategy() {
    return SupervisorStrategy.restartWithBackoff(min, max, randomFactor);
  }
}
