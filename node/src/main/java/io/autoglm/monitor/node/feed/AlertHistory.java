package io.autoglm.monitor.node.feed;

import io.autoglm.monitor.notifier.outbox.AlertJournal;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What a node that just started knows of the alerts that changed before it: the latest change of
 * each alert in the journal's last {@code autoglm.http.recent-alerts-lookback}. Without it a
 * restarted node would list no alert ({@code GET /api/v1/alerts}, the console) and count none
 * firing ({@code autoglm_alerts_firing}) until one changes again.
 */
public final class AlertHistory {
  /** The most alerts read: enough for every rule on every endpoint and tracked IP of a node. */
  public static final int MAX_ALERTS = 20_000;

  private AlertHistory() {}

  /**
   * The latest change of each alert changed in the last {@code lookback}, oldest first; at most
   * {@link #MAX_ALERTS} (those that changed last). Empty when {@code lookback} is zero; a journal
   * that cannot be read fails the stage.
   */
  public static CompletionStage<List<Alert>> latest(ActorSystem<?> system, Duration lookback) {
    if (lookback.isZero()) {
      return CompletableFuture.completedFuture(List.of());
    }
    long from = System.currentTimeMillis() - lookback.toMillis();
    return AlertJournal.currentAfter(system, AlertJournal.offsetAt(system, from))
        .runWith(
            Sink.fold(
                new LinkedHashMap<String, Alert>(),
                (latest, entry) -> {
                  Alert alert = entry.alert();
                  latest.remove(alert.fingerprint()); // its place: when it last changed
                  latest.put(alert.fingerprint(), alert);
                  if (latest.size() > MAX_ALERTS) {
                    latest.remove(latest.keySet().iterator().next());
                  }
                  return latest;
                }),
            system)
        .thenApply(latest -> List.copyOf(new ArrayList<>(latest.values())));
  }
}
