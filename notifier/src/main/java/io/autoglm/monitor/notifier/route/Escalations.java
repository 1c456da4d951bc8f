package io.autoglm.monitor.notifier.route;

import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Escalation of critical alerts (P1): one that nobody acknowledges goes to the next receiver of its
 * route's {@code escalation} list every {@code escalate_after} (5 minutes by default), until it is
 * acknowledged, resolves, or the list ends. Time is given, not read (the caller's clock). Bounded
 * by the firing critical alerts with an escalation list.
 */
public final class Escalations {
  /** A level due: send {@code alert} to {@code receiver} (level 1 is the list's first). */
  public record Step(Alert alert, String receiver, int level) {}

  private static final class Pending {
    final Alert alert;
    final Route.Match match;
    final long firedAt;
    int sent;

    Pending(Alert alert, Route.Match match, long firedAt) {
      this.alert = alert;
      this.match = match;
      this.firedAt = firedAt;
    }
  }

  private final Map<String, Pending> pending = new LinkedHashMap<>();

  /** An alert change routed by {@code match} at {@code now}. */
  public void changed(Alert alert, Route.Match match, long now) {
    if (!alert.isFiring()) {
      pending.remove(alert.fingerprint());
    } else if (alert.severity() == Severity.CRITICAL
        && !match.escalation().isEmpty()
        && !pending.containsKey(alert.fingerprint())) {
      pending.put(alert.fingerprint(), new Pending(alert, match, now));
    }
  }

  /** Someone acknowledged the alert: no further levels. True if it was escalating. */
  public boolean acknowledge(String fingerprint) {
    return pending.remove(fingerprint) != null;
  }

  /** The levels due at {@code now}, each once. */
  public List<Step> due(long now) {
    List<Step> out = new ArrayList<>();
    for (var it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      List<String> levels = p.match.escalation();
      while (p.sent < levels.size()
          && now >= p.firedAt + (p.sent + 1) * p.match.escalateAfterMs()) {
        out.add(new Step(p.alert, levels.get(p.sent), p.sent + 1));
        p.sent++;
      }
      if (p.sent == levels.size()) {
        it.remove();
      }
    }
    return out;
  }

  /** When the next level is due (epoch ms), or -1 when none is pending. */
  public long nextDue() {
    long next = -1;
    for (Pending p : pending.values()) {
      long at = p.firedAt + (p.sent + 1) * p.match.escalateAfterMs();
      next = next < 0 ? at : Math.min(next, at);
    }
    return next;
  }
}
