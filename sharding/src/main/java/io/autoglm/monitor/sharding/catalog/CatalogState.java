package io.autoglm.monitor.sharding.catalog;

import io.autoglm.monitor.persistence.event.CatalogEvent;
import io.autoglm.monitor.persistence.event.CatalogEvent.NamesAdmitted;
import io.autoglm.monitor.protocols.CborSerializable;
import java.util.HashSet;
import java.util.Set;

/**
 * The names a catalog has admitted. Immutable; also the snapshot format, so its package never
 * moves.
 *
 * <p><b>Stored</b> in the snapshots: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public record CatalogState(String catalogId, Set<String> names) implements CborSerializable {

  public static CatalogState empty(String catalogId) {
    return new CatalogState(catalogId, Set.of());
  }

  public CatalogState apply(CatalogEvent event) {
    if (event instanceof NamesAdmitted e) {
      Set<String> next = new HashSet<>(names);
      next.addAll(e.names());
      return new CatalogState(catalogId, Set.copyOf(next));
    }
    throw new IllegalArgumentException("unknown event " + event);
  }
}
