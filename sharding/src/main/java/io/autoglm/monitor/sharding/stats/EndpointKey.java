package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.capture.CaptureRecord;

/**
 * Identity of a monitored endpoint: the service that serves it and the request path, so two
 * gateways serving the same path stay apart. The entity id is {@code service + path}, e.g. {@code
 * default/v1/chat/completions}: service names never contain '/', paths always start with one, so
 * the split is unambiguous.
 *
 * <p>Two names are reserved for the folds that keep the number of endpoints bounded: {@link
 * #OTHER_PATH} counts a service's paths past its cap (or matching no template in strict mode), and
 * {@link #OTHER_SERVICE} the records of services past the service cap. No record can name the
 * service ('(' is not allowed in service names); a record naming the path is folded into it.
 */
public record EndpointKey(String service, String path) implements CborSerializable {
  public static final String OTHER_PATH = "/(other)";
  public static final String OTHER_SERVICE = "(other)";

  /** Where a path of {@code service} goes when it is not admitted. */
  public static EndpointKey otherOf(String service) {
    return new EndpointKey(service, OTHER_PATH);
  }

  /** Where the records of a service that is not admitted go. */
  public static final EndpointKey OTHER = new EndpointKey(OTHER_SERVICE, OTHER_PATH);

  public EndpointKey {
    if (!CaptureRecord.isValidServiceName(service) && !OTHER_SERVICE.equals(service)) {
      throw new IllegalArgumentException(
          "service must be 1..64 of [A-Za-z0-9._-], got '" + service + "'");
    }
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
    }
  }

  /** Whether this is a fold ({@code /(other)} of a service, or of every service past the cap). */
  public boolean isOther() {
    return OTHER_PATH.equals(path);
  }

  public String entityId() {
    return service + path;
  }

  public static EndpointKey fromEntityId(String entityId) {
    int slash = entityId.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("not an endpoint entity id: '" + entityId + "'");
    }
    return new EndpointKey(entityId.substring(0, slash), entityId.substring(slash));
  }

  @Override
  public String toString() {
    return entityId();
  }
}
