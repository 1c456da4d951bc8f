package io.autoglm.monitor.node.api;

import io.autoglm.monitor.sharding.stats.EndpointKey;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The answer of {@code GET /api/v1/endpoints}: every endpoint that ever received data. */
public record EndpointList(List<Entry> endpoints) {

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

  /** The list of these entity ids, in their order. */
  public static EndpointList of(List<String> ids) {
    return new EndpointList(ids.stream().map(Entry::of).toList());
  }
}
