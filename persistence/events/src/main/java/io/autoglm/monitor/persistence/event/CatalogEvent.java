package io.autoglm.monitor.persistence.event;

import io.autoglm.monitor.protocols.CborSerializable;
import java.util.List;

/**
 * Events of a catalog: a bounded set of names the cluster has admitted as statistics keys (the
 * services, the endpoints of one service). This package never moves.
 *
 * <p><b>Stored</b> in the journal: never rename or move this type, nor rename a component (see
 * persistence/README.md, "Stored types and how they evolve").
 */
public sealed interface CatalogEvent extends CborSerializable {
  String catalogId();

  /** {@code names} joined the catalog, in the order they were admitted. */
  record NamesAdmitted(String catalogId, List<String> names) implements CatalogEvent {}
}
