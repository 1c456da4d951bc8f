package io.autoglm.monitor.node.api;

import io.autoglm.monitor.sharding.catalog.CatalogEntity;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /api/v1/endpoints}: every endpoint the cluster admitted, with the {@code
 * /(other)} fold of each service that folds paths (its catalog is full, or strict mode is on), and
 * per service how many endpoints it has of how many it may have.
 */
public record EndpointList(List<Entry> endpoints, List<Service> services) {

  /**
   * One endpoint.
   *
   * @param id its entity id, {@code service/path}
   * @param stats the path of its stats, the id URL-encoded as one segment
   */
  public record Entry(String id, String service, String path, String stats) {
    public static Entry of(String id) {
      EndpointKey key = EndpointKey.fromEntityId(id);
      return new Entry(
          id,
          key.service(),
          key.path(),
          "/api/v1/endpoints/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/stats");
    }
  }

  /**
   * One service's catalog.
   *
   * @param endpoints paths admitted
   * @param limit paths it may admit ({@code autoglm.stats.endpoints.max-per-service})
   * @param full whether new paths are counted under its {@code /(other)}
   */
  public record Service(String service, int endpoints, int limit, boolean full) {}

  /**
   * The list from the catalogs' listings (service → its endpoints catalog), sorted by id.
   *
   * @param servicesFull whether the service catalog is full (records of new services fold)
   * @param strict whether paths matching no template fold
   */
  public static EndpointList of(
      Map<String, CatalogEntity.Listing> byService, boolean servicesFull, boolean strict) {
    List<String> ids = new ArrayList<>();
    List<Service> services = new ArrayList<>();
    byService.forEach(
        (service, listing) -> {
          listing.names().forEach(path -> ids.add(service + path));
          if (listing.full() || strict) {
            ids.add(EndpointKey.otherOf(service).entityId());
          }
          services.add(
              new Service(service, listing.names().size(), listing.limit(), listing.full()));
        });
    if (servicesFull) {
      ids.add(EndpointKey.OTHER.entityId());
    }
    return new EndpointList(ids.stream().sorted().map(Entry::of).toList(), List.copyOf(services));
  }
}
