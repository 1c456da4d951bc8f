package io.autoglm.monitor.sharding.stats;

import io.autoglm.monitor.protocols.CborSerializable;
import io.autoglm.monitor.protocols.capture.CaptureRecord;

/**
 * Identity of a monitored endpoint: the service that serves it and the request path, so two
 * gateways serving the same path stay apart. The entity id is {@code service + path}, e.g. {@code
 * default/v1/chat/completions}: service names never contain '/', paths always start with one, so
 * the split is unambiguous.
 */
public record EndpointKey(String service, String path) implements CborSerializable {

  public EndpointKey {
    if (!CaptureRecord.isValidServiceName(service)) {
      throw new IllegalArgumentException(
          "service must be 1..64 of [A-Za-z0-9._-], got '" + service + "'");
    }
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
    }
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
