package io.autoglm.monitor.sharding.catalog;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many statistics keys the cluster admits ({@code autoglm.stats.endpoints}), because services
 * and paths come from the clients: a client walking random URLs must not make one entity per URL.
 *
 * @param maxServices services admitted; the records of later ones are counted under {@link
 *     io.autoglm.monitor.sharding.stats.EndpointKey#OTHER}
 * @param maxEndpointsPerService paths admitted per service; later paths are counted under the
 *     service's {@code /(other)}
 * @param normalizer templates and strict mode, applied before admission
 */
public record EndpointLimits(
    int maxServices, int maxEndpointsPerService, PathNormalizer normalizer) {
  /** Far above any real deployment, low enough that every catalog stays a small entity. */
  public static final int LIMIT_MAX = 10_000;

  public EndpointLimits {
    if (maxServices < 1 || maxServices > LIMIT_MAX) {
      throw new IllegalArgumentException(
          "autoglm.stats.endpoints.max-services must be 1.." + LIMIT_MAX + ", got " + maxServices);
    }
    if (maxEndpointsPerService < 1 || maxEndpointsPerService > LIMIT_MAX) {
      throw new IllegalArgumentException(
          "autoglm.stats.endpoints.max-per-service must be 1.."
              + LIMIT_MAX
              + ", got "
              + maxEndpointsPerService);
    }
  }

  public static EndpointLimits fromConfig(Config root) {
    Config c = root.getConfig("autoglm.stats.endpoints");
    Map<String, List<PathTemplate>> byService = new HashMap<>();
    List<PathTemplate> forAll = List.of();
    ConfigObject templates = c.getObject("templates");
    for (Map.Entry<String, ConfigValue> e : templates.entrySet()) {
      String service = e.getKey();
      List<PathTemplate> parsed = parseList(service, e.getValue());
      if (service.equals("*")) {
        forAll = parsed;
      } else if (CaptureRecord.isValidServiceName(service)) {
        byService.put(service, parsed);
      } else {
        throw new ConfigException.BadValue(
            "autoglm.stats.endpoints.templates",
            "'" + service + "' is neither '*' nor a service name (1..64 of [A-Za-z0-9._-])");
      }
    }
    return new EndpointLimits(
        c.getInt("max-services"),
        c.getInt("max-per-service"),
        new PathNormalizer(byService, forAll, c.getBoolean("strict")));
  }

  private static List<PathTemplate> parseList(String service, ConfigValue value) {
    String key = "autoglm.stats.endpoints.templates.\"" + service + "\"";
    if (value.valueType() != ConfigValueType.LIST) {
      throw new ConfigException.WrongType(value.origin(), key, "list", value.valueType().name());
    }
    List<PathTemplate> out = new ArrayList<>();
    for (Object t : (List<?>) value.unwrapped()) {
      try {
        out.add(PathTemplate.parse(String.valueOf(t)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(value.origin(), key, e.getMessage());
      }
    }
    return out;
  }

  /** The limit of the catalog {@code catalogId} (see {@link CatalogEntity}). */
  public int limitOf(String catalogId) {
    return CatalogEntity.SERVICES.equals(catalogId) ? maxServices : maxEndpointsPerService;
  }
}
