package io.autoglm.monitor.node.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Instant;

/** The JSON form of an alert in the API and on the WebSocket feed. */
public final class AlertJson {
  private AlertJson() {}

  public static ObjectNode of(Alert a) {
    ObjectNode n = JsonSupport.object();
    n.put("fingerprint", a.fingerprint());
    n.put("status", a.status().wireName());
    n.put("rule", a.ruleId());
    n.put("severity", a.severity().wireName());
    n.put("service", a.service());
    n.put("endpoint", a.endpoint());
    n.put("metric", a.metric());
    n.put("comparison", a.comparison());
    n.put("threshold", a.threshold());
    n.put("value", a.value());
    n.put("startsAt", Instant.ofEpochMilli(a.startsAt()).toString());
    if (a.isFiring()) {
      n.putNull("endsAt");
    } else {
      n.put("endsAt", Instant.ofEpochMilli(a.endsAt()).toString());
    }
    n.put("windowEnd", Instant.ofEpochMilli(a.windowEnd()).toString());
    n.put("summary", a.summary());
    n.put("description", a.description());
    return n;
  }

  /** One WebSocket feed message. */
  public static ObjectNode feedMessage(Alert a) {
    ObjectNode n = JsonSupport.object();
    n.put("type", "alert");
    n.set("alert", of(a));
    return n;
  }
}
