package io.autoglm.monitor.sharding.catalog;

import io.autoglm.monitor.sharding.EntityRefs;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * This node's view of the catalogs: which services and endpoints the cluster admitted, and which
 * catalogs are full. Ingest asks it for the key each endpoint's records are counted under: an
 * admitted key as it is, a key of a full catalog folded into {@code (other)}. Only names this node
 * has never seen cost a question to a {@link CatalogEntity}; the answers are remembered, and what
 * is remembered is bounded by the catalogs' limits.
 *
 * <p>Thread safe: ingest threads read it, catalog answers update it.
 */
public final class EndpointAdmission {
  private final EntityRefs refs;
  private final EndpointLimits limits;
  private final Duration timeout;
  private final Map<String, Known> known = new ConcurrentHashMap<>();

  /** What this node knows of one catalog: names admitted, and whether it is full. */
  private record Known(Set<String> names, boolean full) {
    Known union(Known other) {
      if (other.names.isEmpty() || names.containsAll(other.names)) {
        return full || !other.full ? this : new Known(names, true);
      }
      Set<String> all = new HashSet<>(names);
      all.addAll(other.names);
      return new Known(Set.copyOf(all), full || other.full);
    }
  }

  public EndpointAdmission(ActorSystem<?> system, EndpointLimits limits, Duration timeout) {
    this(EntityRefs.sharded(system), limits, timeout);
  }

  /** Admission through the catalogs {@code refs} reaches (a backtest's are local actors). */
  public EndpointAdmission(EntityRefs refs, EndpointLimits limits, Duration timeout) {
    this.refs = refs;
    this.limits = limits;
    this.timeout = timeout;
  }

  public EndpointLimits limits() {
    return limits;
  }

  /**
   * The key records of {@code key} are counted under, if this node knows it without asking; else
   * null.
   */
  public EndpointKey knownFinal(EndpointKey key) {
    String service = key.service();
    if (EndpointKey.OTHER_SERVICE.equals(service)) {
      return key;
    }
    Known services = known.get(CatalogEntity.SERVICES);
    if (services == null || !services.names.contains(service)) {
      return services != null && services.full ? EndpointKey.OTHER : null;
    }
    if (key.isOther()) {
      return key;
    }
    Known paths = known.get(CatalogEntity.endpointsOf(service));
    if (paths == null) {
      return null;
    }
    if (paths.names.contains(key.path())) {
      return key;
    }
    return paths.full ? EndpointKey.otherOf(service) : null;
  }

  /**
   * The key each of {@code keys} is counted under, asking the catalogs about the services and paths
   * this node does not know yet (first the services, then the paths of each admitted service, those
   * in parallel). Fails if a catalog does not answer in time.
   */
  public CompletionStage<Map<EndpointKey, EndpointKey>> resolve(Collection<EndpointKey> keys) {
    Set<String> newServices = new LinkedHashSet<>();
    for (EndpointKey key : keys) {
      if (knownFinal(key) == null && !isKnownService(key.service())) {
        newServices.add(key.service());
      }
    }
    return admit(CatalogEntity.SERVICES, newServices)
        .thenCompose(
            servicesDone -> {
              Map<String, Set<String>> newPaths = new TreeMap<>();
              for (EndpointKey key : keys) {
                if (knownFinal(key) == null && isKnownService(key.service())) {
                  newPaths
                      .computeIfAbsent(key.service(), s -> new LinkedHashSet<>())
                      .add(key.path());
                }
              }
              List<CompletableFuture<Void>> asks = new ArrayList<>();
              newPaths.forEach(
                  (service, paths) ->
                      asks.add(
                          admit(CatalogEntity.endpointsOf(service), paths).toCompletableFuture()));
              return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new));
            })
        .thenApply(
            done -> {
              Map<EndpointKey, EndpointKey> out = new LinkedHashMap<>();
              for (EndpointKey key : keys) {
                EndpointKey to = knownFinal(key);
                // a catalog admits every asked name while it has room: one it did not admit
                // means it is full, so this fold is what the catalog decided
                out.put(key, to != null ? to : foldOf(key));
              }
              return out;
            });
  }

  private boolean isKnownService(String service) {
    Known services = known.get(CatalogEntity.SERVICES);
    return services != null && services.names.contains(service);
  }

  private EndpointKey foldOf(EndpointKey key) {
    return isKnownService(key.service()) ? EndpointKey.otherOf(key.service()) : EndpointKey.OTHER;
  }

  /** Asks catalog {@code catalogId} to admit {@code names} (at most its limit of them). */
  private CompletionStage<Void> admit(String catalogId, Collection<String> names) {
    if (names.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    // more names than the limit cannot all fit: the catalog is full after the first limit of them
    List<String> asked = names.stream().limit(limits.limitOf(catalogId)).toList();
    return AskPattern.<CatalogEntity.Command, CatalogEntity.Admission>ask(
            catalog(catalogId),
            replyTo -> new CatalogEntity.Admit(asked, replyTo),
            timeout,
            refs.scheduler())
        .thenAccept(
            a ->
                known.merge(
                    catalogId,
                    new Known(a.admitted(), a.full() || names.size() > asked.size()),
                    Known::union));
  }

  /**
   * Every admitted service with the listing of its endpoints catalog, asked of the catalogs (not of
   * this node's memory, which holds only what this node has seen).
   */
  public CompletionStage<Map<String, CatalogEntity.Listing>> listing() {
    return get(CatalogEntity.SERVICES)
        .thenCompose(
            services -> {
              known.merge(
                  CatalogEntity.SERVICES,
                  new Known(services.names(), services.full()),
                  Known::union);
              Map<String, CompletableFuture<CatalogEntity.Listing>> asks = new TreeMap<>();
              for (String service : services.names()) {
                asks.put(service, get(CatalogEntity.endpointsOf(service)).toCompletableFuture());
              }
              return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new))
                  .thenApply(
                      done -> {
                        Map<String, CatalogEntity.Listing> out = new TreeMap<>();
                        asks.forEach((service, f) -> out.put(service, f.join()));
                        return out;
                      });
            });
  }

  private CompletionStage<CatalogEntity.Listing> get(String catalogId) {
    return AskPattern.ask(catalog(catalogId), CatalogEntity.Get::new, timeout, refs.scheduler());
  }

  /**
   * Whether {@code key} names an endpoint the cluster admitted (a fold of an admitted service
   * counts), asked of the catalogs.
   */
  public CompletionStage<Boolean> isAdmitted(EndpointKey key) {
    if (key.equals(EndpointKey.OTHER)) {
      return CompletableFuture.completedFuture(true);
    }
    if (key.isOther()) {
      return get(CatalogEntity.SERVICES).thenApply(l -> l.names().contains(key.service()));
    }
    return get(CatalogEntity.endpointsOf(key.service()))
        .thenApply(l -> l.names().contains(key.path()));
  }

  private RecipientRef<CatalogEntity.Command> catalog(String catalogId) {
    return refs.ref(CatalogEntity.ENTITY_TYPE_KEY, catalogId);
  }
}
