package io.autoglm.monitor.persistence.stats;

import static io.autoglm.monitor.persistence.stats.Saturating.add;

/**
 * The requests of one model ({@code CaptureRecord.model}) within a {@link WindowStats}: how many,
 * how many were errors, and their tokens.
 *
 * <p><b>Stored</b> in the journal and snapshots: never rename or move this type, nor rename a
 * component (see persistence/README.md, "Stored types and how they evolve").
 */
public record ModelStats(long requests, long errors, long promptTokens, long completionTokens) {

  public static final ModelStats ZERO = new ModelStats(0, 0, 0, 0);

  public ModelStats plus(ModelStats o) {
    return new ModelStats(
        add(requests, o.requests),
        add(errors, o.errors),
        add(promptTokens, o.promptTokens),
        add(completionTokens, o.completionTokens));
  }

  /** Errors over requests, or NaN without requests. */
  public double errorRate() {
    return requests == 0 ? Double.NaN : (double) errors / requests;
  }
}
