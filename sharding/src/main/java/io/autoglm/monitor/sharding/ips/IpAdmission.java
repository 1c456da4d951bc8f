package io.autoglm.monitor.sharding.ips;

import com.typesafe.config.Config;
import io.autoglm.monitor.persistence.stats.SourceIpSketch;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.rules.RuleCache;
import io.autoglm.monitor.sharding.rules.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * Which source IPs get statistics of their own (in their group, {@link SourceIpGroupEntity}),
 * because source IPs are whatever a client writes: an IP is tracked once it is a heavy hitter — at
 * least {@code admit-requests} requests to one service within one {@code admit-window} of event
 * time, seen from the per-batch sketches of the ingest ({@link #observe}: exact counts while a
 * batch's sketch holds its addresses exactly, else their guaranteed lower bounds) — or from its
 * first request when a rule on source IPs names it ({@code "ip": "10.8.*"}) or the watch list does.
 * At most {@code max-tracked} IPs are tracked; one not seen for {@code idle} is dropped (its group
 * forgets it too; its history stays). An IP spray of a million addresses with a few requests each
 * admits none.
 *
 * <p>Decided on each node from its own ingest and shared with the others ({@link #learn}, fed by
 * the node's pub-sub topic), so that every node routes an admitted IP's records to its group from
 * then on. Records of an IP before its admission are counted only in their endpoints' statistics.
 * Thread safe: the ingest threads ask {@link #tracked} for every record.
 */
public final class IpAdmission implements IpTracking {
  /** {@code autoglm.ips}. */
  public record Settings(
      long admitRequests,
      long admitWindowMs,
      int maxTracked,
      long idleMs,
      int maxCandidates,
      int groups,
      long historyIntervalMs) {
    public Settings {
      if (admitRequests < 1 || admitWindowMs < 1000 || maxTracked < 0 || idleMs < 1000) {
        throw new IllegalArgumentException(
            "autoglm.ips: admit-requests >= 1, admit-window >= 1s, max-tracked >= 0, idle >= 1s");
      }
      if (groups < 1 || groups > IpGroupKey.MAX_GROUPS) {
        throw new IllegalArgumentException(
            "autoglm.ips.groups must be 1.." + IpGroupKey.MAX_GROUPS + ", got " + groups);
      }
      if (historyIntervalMs < 1000) {
        throw new IllegalArgumentException("autoglm.ips.history-interval must be at least 1s");
      }
    }

    public static Settings fromConfig(Config root) {
      Config c = root.getConfig("autoglm.ips");
      return new Settings(
          c.getLong("admit-requests"),
          c.getDuration("admit-window").toMillis(),
          c.getInt("max-tracked"),
          c.getDuration("idle").toMillis(),
          c.getInt("max-candidates"),
          c.getInt("groups"),
          c.getDuration("history-interval").toMillis());
    }
  }

  /** Per candidate IP: its count in the current admission window of event time. */
  private record Candidate(long window, long count) {}

  /** Heavy hitters are read from the top of each batch's sketch. */
  private static final int TOP_PER_BATCH = 16;

  private final Settings settings;
  private final RuleCache rules;
  private final Consumer<IpKey> announce;
  // service -> ip -> when last seen (wall ms): looked up per record without building a key
  private final Map<String, Map<String, Long>> tracked = new ConcurrentHashMap<>();
  private final AtomicInteger trackedCount = new AtomicInteger();
  private final Map<String, Candidate> candidates = new ConcurrentHashMap<>();
  private final LongAdder refused = new LongAdder();
  // the rules that name IPs of their own, for the rule set of that version
  private volatile Preselecting preselecting = new Preselecting(-1, List.of());

  private record Preselecting(long version, List<BiPredicate<String, String>> names) {}

  /**
   * @param announce tells the other nodes of an IP this node admitted
   */
  public IpAdmission(Settings settings, RuleCache rules, Consumer<IpKey> announce) {
    this.settings = settings;
    this.rules = rules;
    this.announce = announce;
  }

  private static String keyOf(String service, String ip) {
    return service + '/' + ip;
  }

  @Override
  public boolean tracked(String service, String ip) {
    Map<String, Long> ips = tracked.get(service);
    if (ips != null && ips.containsKey(ip)) {
      return true;
    }
    for (BiPredicate<String, String> names : preselecting()) {
      if (names.test(service, ip)) {
        return admit(new IpKey(service, ip), System.currentTimeMillis());
      }
    }
    return false;
  }

  /**
   * What names IPs to track from their first request: the rules naming IPs of their own and the
   * watch list; recomputed only when the rule set changes.
   */
  private List<BiPredicate<String, String>> preselecting() {
    Preselecting p = preselecting;
    RuleSet set = rules.current();
    if (p.version() != set.version()) {
      List<BiPredicate<String, String>> names = new ArrayList<>();
      set.rules().values().stream()
          .filter(ThresholdRule::preselectsIps)
          .forEach(r -> names.add(r::appliesToIp));
      set.watches().values().forEach(w -> names.add(w::matches));
      p = new Preselecting(set.version(), List.copyOf(names));
      preselecting = p;
    }
    return p.names();
  }

  /**
   * Counts the heavy hitters of one batch's records of {@code service} toward admission; admits
   * those that reach {@code admit-requests} within one admission window of event time.
   */
  /**
   * The event time of the first batch of {@code service} this node saw the source IPs of, or {@link
   * Long#MAX_VALUE}: an IP tracked later sent too little before to be tracked.
   */
  public long watchingSince(String service) {
    return watchingSince.getOrDefault(service, Long.MAX_VALUE);
  }

  private final Map<String, Long> watchingSince = new java.util.concurrent.ConcurrentHashMap<>();

  public void observe(String service, SourceIpSketch ips, long eventTimeMs, long nowMs) {
    watchingSince.merge(service, eventTimeMs, Math::min);
    long window = Math.floorDiv(eventTimeMs, settings.admitWindowMs());
    for (SourceIpSketch.HeavyHitter h : ips.topIps(TOP_PER_BATCH)) {
      Map<String, Long> known = tracked.get(service);
      if (known != null && known.replace(h.item(), nowMs) != null) {
        continue; // tracked already: it is not idle
      }
      String key = keyOf(service, h.item());
      if (candidates.size() >= settings.maxCandidates() && !candidates.containsKey(key)) {
        continue; // a spray: the real heavy hitters come back in the next batches
      }
      Candidate c =
          candidates.merge(
              key,
              new Candidate(window, h.lowerBound()),
              (old, add) ->
                  old.window == add.window
                      ? new Candidate(old.window, old.count + add.count)
                      : add.window > old.window ? add : old);
      if (c.count >= settings.admitRequests()) {
        candidates.remove(key);
        admit(new IpKey(service, h.item()), nowMs);
      }
    }
  }

  /** Tracks {@code ip} from now on, unless {@code max-tracked} are tracked; tells the others. */
  private boolean admit(IpKey ip, long nowMs) {
    if (trackedCount.get() >= settings.maxTracked()) {
      refused.increment();
      return false;
    }
    if (add(ip, nowMs)) {
      announce.accept(ip);
    }
    return true;
  }

  /** Whether {@code ip} was not tracked before. */
  private boolean add(IpKey ip, long nowMs) {
    boolean added =
        tracked
                .computeIfAbsent(ip.service(), s -> new ConcurrentHashMap<>())
                .putIfAbsent(ip.ip(), nowMs)
            == null;
    if (added) {
      trackedCount.incrementAndGet();
    }
    return added;
  }

  /** An IP another node admitted. */
  public void learn(IpKey ip, long nowMs) {
    if (trackedCount.get() < settings.maxTracked()) {
      add(ip, nowMs);
    }
  }

  /** Notes that {@code ip} sent records now (it is not idle). */
  public void touch(IpKey ip, long nowMs) {
    Map<String, Long> ips = tracked.get(ip.service());
    if (ips != null) {
      ips.replace(ip.ip(), nowMs);
    }
  }

  /** Drops tracked IPs idle for {@code idle}, and stale candidates. */
  public void sweep(long nowMs) {
    for (Map<String, Long> ips : tracked.values()) {
      ips.values()
          .removeIf(
              lastSeen -> {
                boolean idle = nowMs - lastSeen > settings.idleMs();
                if (idle) {
                  trackedCount.decrementAndGet();
                }
                return idle;
              });
    }
    if (candidates.size() > settings.maxCandidates() / 2) {
      candidates.clear(); // heavy hitters rebuild their counts within one window
    }
  }

  /** The group that keeps {@code ip}'s statistics. */
  public IpGroupKey groupOf(IpKey ip) {
    return IpGroupKey.of(ip, settings.groups());
  }

  public Settings settings() {
    return settings;
  }

  /** The tracked IPs ({@code service/ip}), sorted. */
  public List<String> trackedIps() {
    List<String> all = new java.util.ArrayList<>(trackedCount.get());
    tracked.forEach((service, ips) -> ips.keySet().forEach(ip -> all.add(service + '/' + ip)));
    all.sort(null);
    return all;
  }

  public boolean isTracked(IpKey ip) {
    Map<String, Long> ips = tracked.get(ip.service());
    return ips != null && ips.containsKey(ip.ip());
  }

  /** IPs not admitted because {@code max-tracked} were tracked. */
  public long refused() {
    return refused.sum();
  }

  public Duration idle() {
    return Duration.ofMillis(settings.idleMs());
  }
}
