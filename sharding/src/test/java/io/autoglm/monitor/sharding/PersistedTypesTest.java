package io.autoglm.monitor.sharding;

import static io.autoglm.monitor.sharding.TestTraffic.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.event.CatalogEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.RuleBookEvent;
import io.autoglm.monitor.persistence.event.SourceIpStatsEvent;
import io.autoglm.monitor.persistence.stats.IpCounts;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.catalog.CatalogState;
import io.autoglm.monitor.sharding.detect.RuleAlertState;
import io.autoglm.monitor.sharding.ips.SourceIpGroupState;
import io.autoglm.monitor.sharding.ips.SourceIpStatsState;
import io.autoglm.monitor.sharding.rules.RuleSet;
import io.autoglm.monitor.sharding.stats.EndpointStatsState;
import io.autoglm.monitor.sharding.stats.EndpointStatsView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type the journal and the snapshot store hold goes through the configured serializer
 * (Jackson CBOR, the one binding in {@code persistence/events/.../reference.conf}) and reads back
 * equal; and an event written before a field existed still reads back. These classes are stored:
 * renaming or moving one, or a field, breaks reading the journal.
 */
class PersistedTypesTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final SerializationTestKit serialization =
      new SerializationTestKit(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static final ThresholdRule RULE =
      new ThresholdRule(
          "chat-errors",
          Metric.ERROR_RATE,
          Comparison.GT,
          0.05,
          30_000,
          300_000,
          Severity.CRITICAL,
          Glob.of("edge-*"),
          Glob.of("/v1/chat/*"),
          "chat failing");

  /** A rule with every optional part: a window, hysteresis, keep_firing_for. */
  private static final ThresholdRule FULL_RULE =
      new ThresholdRule(
          "chat-latency",
          Metric.P95_LATENCY_MS,
          Comparison.GE,
          2000,
          30_000,
          300_000,
          Severity.WARNING,
          Glob.of("*"),
          Glob.of("/v1/chat/*"),
          "",
          60_000,
          io.autoglm.monitor.protocols.rule.RuleScope.ENDPOINT,
          Glob.of("*"),
          1500.0,
          120_000,
          20);

  /** A baseline rule with every filter: flapping, mute times, last week, confirm, a limit. */
  private static final ThresholdRule FILTERED_RULE = filteredRule();

  private static ThresholdRule filteredRule() {
    try {
      return io.autoglm.monitor.protocols.rule.RuleCodec.parse(
          io.autoglm.monitor.protocols.json.Json.mapper()
              .readTree(
                  """
                  {"kind": "baseline", "metric": "p95_latency_ms", "method": "mad",
                   "flapping": {"changes": 6, "within": "1h"},
                   "mute": [{"from": "2026-12-24T02:00:00Z", "to": "2026-12-24T04:00:00Z"},
                            {"days": ["sat", "sun"], "times": "22:00-06:00",
                             "timezone": "Asia/Shanghai"}],
                   "ignore_same_last_week": 0.2,
                   "confirm_with": ["error_rate", "ttft_p95_ms", "endpoints"],
                   "notify_limit": {"count": 5, "per": "1h"}}
                  """),
          "latency-filtered");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String ID = "default/v1/chat/completions";

  private static List<WindowStats> windows() {
    return TestTraffic.traffic("/v1/chat/completions", 0, 12, 20, 0.25, 180)
        .parts()
        .get(0)
        .windows();
  }

  private static List<WindowStats> minutes() {
    return List.of(WindowStats.sum(T0, T0 + 60_000, windows(), true));
  }

  private static Alert alert() {
    return Alert.firing(RULE, "edge-a", "/v1/chat/completions", 0.31, T0, T0 + 30_000);
  }

  /** One sample of every stored type: each event, each snapshot state. */
  static List<Object> storedSamples() {
    EndpointStatsState state =
        new EndpointStatsState(
            ID,
            T0 + 6_950,
            T0 + 11_950,
            T0 + 11_951,
            240,
            3,
            2,
            windows(),
            minutes(),
            Map.of(RULE.id(), RuleAlertState.ok(RULE.id()).pending(T0).firing(alert())),
            Map.of("gw-1#7", 42L));
    return List.of(
        new EndpointStatsEvent.StatsIngested(
            ID,
            windows(),
            240,
            3,
            T0 + 11_950,
            T0 + 6_950,
            Map.of("gw-1#7", 42L, "~http.10.0.0.5-25520#1764640000000123", 0L),
            2,
            T0 + 11_951,
            TestTraffic.traffic("/v1/chat/completions", 0, 12, 20, 0.25, 180)
                .parts()
                .get(0)
                .sources()),
        new EndpointStatsEvent.EventTimeAdvanced(ID, T0 + 21_000),
        new EndpointStatsEvent.WatermarkAdvanced(ID, T0 + 20_000),
        new EndpointStatsEvent.WatermarkReset(ID, T0 + 15_000, T0 + 20_000, T0 + 320_000),
        new EndpointStatsEvent.AlertPending(ID, RULE.id(), T0),
        new EndpointStatsEvent.AlertPendingCleared(ID, RULE.id()),
        new EndpointStatsEvent.AlertFired(ID, alert()),
        new EndpointStatsEvent.AlertRecovering(ID, RULE.id(), T0 + 40_000),
        new EndpointStatsEvent.AlertRecoveringCleared(ID, RULE.id()),
        new RuleBookEvent.RuleUpserted(FULL_RULE),
        new RuleBookEvent.RuleUpserted(FILTERED_RULE),
        new EndpointStatsEvent.AlertSettled(ID, alert().flapping(false).settled()),
        new EndpointStatsEvent.AlertFired(ID, alert().flapping(true)),
        new RuleAlertState(
            RULE.id(),
            RuleAlertState.Phase.FIRING,
            T0,
            alert().flapping(true),
            0L,
            0L,
            List.of(T0, T0 + 20_000, T0 + 40_000),
            alert().flapping(true)),
        new SourceIpStatsEvent.IpAlertChanged(
            IP_ID,
            new EndpointStatsEvent.AlertSettled(
                IP_ID, Alert.firingForIp(IP_RULE, "default", "203.0.113.7", 120, T0, T0 + 10_000))),
        RuleAlertState.ok(RULE.id()).pending(T0).firing(alert()).recovering(T0 + 40_000),
        new EndpointStatsEvent.AlertResolved(
            ID, alert().resolved(0.01, T0 + 60_000, T0 + 60_000), T0 + 360_000),
        new RuleBookEvent.RuleUpserted(RULE),
        new RuleBookEvent.RuleDeleted(RULE.id()),
        new RuleBookEvent.WatchUpserted(WATCH),
        new RuleBookEvent.WatchDeleted(WATCH.id()),
        RuleSet.EMPTY.with(RULE).withWatch(WATCH),
        state,
        EndpointStatsState.empty(ID),
        RuleSet.EMPTY.with(RULE),
        new CatalogEvent.NamesAdmitted("endpoints:edge", List.of("/v1/chat", "/v1/models/{id}")),
        new CatalogState("services", java.util.Set.of("edge", "default")),
        CatalogState.empty("services"),
        new SourceIpStatsEvent.IpStatsIngested(
            IP_ID,
            List.of(IP_PANE),
            100,
            0,
            T0 + 999,
            Map.of("gw-1#7", 42L),
            Map.of("/v1/chat", 60L, "(other)", 40L),
            T0 + 1_000,
            Map.of("key-1", 100L)),
        new SourceIpStatsEvent.IpEventTimeAdvanced(IP_ID, T0 + 5_000),
        new SourceIpStatsEvent.IpAlertChanged(
            IP_ID,
            new EndpointStatsEvent.AlertFired(
                IP_ID, Alert.firingForIp(IP_RULE, "default", "203.0.113.7", 120, T0, T0 + 10_000))),
        new SourceIpStatsEvent.IpAlertChanged(
            IP_ID, new EndpointStatsEvent.AlertPending(IP_ID, IP_RULE.id(), T0)),
        new SourceIpStatsEvent.IpAlertChanged(
            IP_ID, new EndpointStatsEvent.AlertRecovering(IP_ID, IP_RULE.id(), T0 + 20_000)),
        new SourceIpStatsEvent.IpAlertChanged(
            IP_ID, new EndpointStatsEvent.AlertRecoveringCleared(IP_ID, IP_RULE.id())),
        ipState(),
        SourceIpStatsState.empty(IP_ID),
        new SourceIpStatsEvent.IpGroupIngested(
            "default/g7",
            List.of(
                new SourceIpStatsEvent.IpStatsIngested(
                    IP_ID,
                    List.of(IP_PANE),
                    100,
                    0,
                    T0 + 999,
                    Map.of(),
                    Map.of("/v1/chat", 100L),
                    T0 + 1_000,
                    Map.of())),
            Map.of("gw-1#7", 42L),
            T0 + 3_600_000),
        new SourceIpStatsEvent.IpGroupIngested(
            "default/g7",
            List.of(),
            Map.of("gw-1#7", 42L),
            T0 + 3_600_000,
            new SourceIpStatsEvent.IpStatsIngested(
                "default/*",
                List.of(IP_PANE),
                100,
                0,
                T0 + 999,
                Map.of(),
                Map.of(),
                T0 + 1_000,
                Map.of())),
        new SourceIpGroupState(
            "default/g7", Map.of(IP_ID, ipState()), Map.of("gw-1#7", 42L), ipState()),
        new SourceIpStatsEvent.IpsForgotten("default/g7", List.of(IP_ID, "default/2001:db8::1")),
        new SourceIpGroupState("default/g7", Map.of(IP_ID, ipState()), Map.of("gw-1#7", 42L)),
        SourceIpGroupState.empty("default/g7"),
        RuleSet.EMPTY.with(IP_RULE));
  }

  private static final String IP_ID = "default/203.0.113.7";
  private static final io.autoglm.monitor.protocols.rule.IpWatch WATCH =
      new io.autoglm.monitor.protocols.rule.IpWatch(
          "waf", Glob.of("*"), Glob.of("198.51.100.*"), "reported by the WAF");

  private static SourceIpStatsState ipState() {
    return new SourceIpStatsState(
        IP_ID,
        T0 - 300_000,
        T0 + 999,
        T0 + 1_000,
        100,
        0,
        List.of(IP_PANE),
        List.of(IP_PANE.over(T0, T0 + 60_000)),
        Map.of("/v1/chat", 100L),
        Map.of(IP_RULE.id(), RuleAlertState.ok(IP_RULE.id()).pending(T0)),
        Map.of(),
        T0 + 3_600_000,
        Map.of("key-1", 60L, "key-2", 40L));
  }

  private static final IpCounts IP_PANE = new IpCounts(T0, T0 + 1_000, 100, 3, 7, 2, 1, 50, 80);
  private static final ThresholdRule IP_RULE =
      new ThresholdRule(
          "ip-flood",
          Metric.QPS,
          Comparison.GT,
          50,
          10_000,
          0,
          Severity.CRITICAL,
          Glob.of("*"),
          Glob.of("*"),
          "one client flooding",
          10_000,
          io.autoglm.monitor.protocols.rule.RuleScope.IP,
          Glob.of("203.0.113.*"));

  @ParameterizedTest(name = "{0}")
  @MethodSource("storedSamples")
  void readsBackEqualThroughTheConfiguredSerializer(Object stored) {
    serialization.verifySerialization(stored, true);
  }

  /** A new event type without a sample above fails here, not in production. */
  @Test
  void everyEventTypeHasASample() {
    List<Class<?>> sampled = storedSamples().stream().<Class<?>>map(Object::getClass).toList();
    for (Class<?> events :
        List.of(
            EndpointStatsEvent.class,
            RuleBookEvent.class,
            CatalogEvent.class,
            SourceIpStatsEvent.class)) {
      for (Class<?> type : events.getPermittedSubclasses()) {
        assertTrue(sampled.contains(type), type.getName() + " has no sample in storedSamples()");
      }
    }
  }

  /** Not stored, but sent between nodes: the answer to a stats request. */
  @Test
  void theStatsViewRoundTrips() {
    EndpointStatsState state =
        new EndpointStatsState(
            ID,
            T0 + 6_950,
            T0 + 11_950,
            T0 + 11_951,
            240,
            3,
            2,
            windows(),
            minutes(),
            Map.of(RULE.id(), RuleAlertState.ok(RULE.id()).pending(T0)),
            Map.of("gw-1#7", 42L));
    EndpointStatsView view = EndpointStatsView.of(state, 1);
    assertEquals(1, view.panes().size());
    assertEquals(List.of(RuleAlertState.ok(RULE.id()).pending(T0)), view.alerts());
    serialization.verifySerialization(view, true);
  }

  /**
   * A {@code StatsIngested} persisted before {@code future} and {@code evaluatedAt} existed reads
   * back with 0 for both.
   */
  @Test
  void anEventWrittenBeforeAFieldExistedStillReads() throws Exception {
    EndpointStatsEvent.StatsIngested current =
        new EndpointStatsEvent.StatsIngested(ID, List.of(), 5, 1, T0, T0 - 5_000, Map.of(), 0, 0);
    Serialization ext = SerializationExtension.get(testKit.system());
    Serializer serializer = ext.findSerializerFor(current);
    String manifest = Serializers.manifestFor(serializer, current);

    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    Map<String, Object> old = new LinkedHashMap<>();
    old.put("endpointId", ID);
    old.put("windows", List.of());
    old.put("accepted", 5);
    old.put("late", 1);
    old.put("maxEventTs", T0);
    old.put("watermark", T0 - 5_000);
    old.put("appliedSeqs", Map.of());
    Object read =
        ext.deserialize(cbor.writeValueAsBytes(old), serializer.identifier(), manifest).get();
    assertEquals(current, read);
  }

  /** A rule stored before {@code "endpoints"} could confirm reads back without it. */
  @Test
  void aRuleStoredBeforeEndpointsConfirmedStillReads() throws Exception {
    Serialization ext = SerializationExtension.get(testKit.system());
    Serializer serializer = ext.findSerializerFor(FILTERED_RULE);
    String manifest = Serializers.manifestFor(serializer, FILTERED_RULE);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    com.fasterxml.jackson.databind.node.ObjectNode tree = cbor.valueToTree(FILTERED_RULE);
    assertTrue(tree.get("filters").has("confirmByEndpoints"), tree.toString());
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("filters"))
        .remove("confirmByEndpoints");
    ThresholdRule read =
        (ThresholdRule)
            ext.deserialize(cbor.writeValueAsBytes(tree), serializer.identifier(), manifest).get();
    assertFalse(read.filters().confirmByEndpoints());
    assertEquals(FILTERED_RULE.filters().confirmWith(), read.filters().confirmWith());
  }

  /**
   * A snapshot written before panes existed (open and closed windows, no panes, minutes or
   * evaluation point) reads back with its totals, alerts and applied seqs, and no panes.
   */
  @Test
  void aSnapshotWrittenBeforePanesExistedStillReads() throws Exception {
    EndpointStatsState empty = EndpointStatsState.empty(ID);
    Serialization ext = SerializationExtension.get(testKit.system());
    Serializer serializer = ext.findSerializerFor(empty);
    String manifest = Serializers.manifestFor(serializer, empty);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    Map<String, Object> old = new LinkedHashMap<>();
    old.put("endpointId", ID);
    old.put("watermark", T0);
    old.put("maxEventTs", T0 + 5_000);
    old.put("lastClosedEnd", T0);
    old.put("accepted", 7);
    old.put("late", 1);
    old.put("future", 0);
    old.put("open", List.of());
    old.put("closed", List.of());
    old.put("alerts", Map.of());
    old.put("appliedSeqs", Map.of("gw-1#7", 42));
    EndpointStatsState read =
        (EndpointStatsState)
            ext.deserialize(cbor.writeValueAsBytes(old), serializer.identifier(), manifest).get();
    assertEquals(7, read.accepted());
    assertEquals(42, read.appliedSeq("gw-1#7"));
    assertEquals(List.of(), read.panes());
    assertEquals(List.of(), read.minutes());
  }

  /**
   * A window persisted before status codes, TTFT, models and sources existed reads back without
   * them; one with all of them reads back equal.
   */
  @Test
  void windowsOldAndNewReadBack() throws Exception {
    WindowStats old = WindowStats.empty(T0, T0 + 1_000);
    // the mapper the configured serializer uses for the events that hold windows
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    Map<String, Object> fields = new LinkedHashMap<>();
    for (var c : WindowStats.class.getRecordComponents()) {
      if (!List.of("statusCodes", "ttft", "models", "sources").contains(c.getName())) {
        fields.put(c.getName(), c.getAccessor().invoke(old));
      }
    }
    WindowStats read = cbor.readValue(cbor.writeValueAsBytes(fields), WindowStats.class);
    assertEquals(old, read);
    assertEquals(Map.of(), read.statusCodes());
    assertEquals(Map.of(), read.models());
    assertEquals(null, read.sources());

    io.autoglm.monitor.sharding.stats.DeltaAggregator agg =
        new io.autoglm.monitor.sharding.stats.DeltaAggregator(
            TestTraffic.SETTINGS, "default", TestTraffic.NOW);
    for (int i = 0; i < 40; i++) {
      agg.add(
          io.autoglm.monitor.protocols.capture.CaptureRecord.of(
                  T0 + i, "/v1/chat/completions", i % 5 == 0 ? 429 : 200, 80, "10.1.2." + i)
              .withLlm(i % 2 == 0 ? "glm-4" : "glm-4v", 10, 30, 25 + i));
    }
    var part = agg.drain().get(0).parts().get(0);
    WindowStats full = part.windows().get(0).withSources(part.sources().values().iterator().next());
    assertEquals(2, full.models().size());
    assertEquals(40, full.ttft().count());
    WindowStats back = cbor.readValue(cbor.writeValueAsBytes(full), WindowStats.class);
    assertEquals(full, back);
    assertEquals(8, back.statusCount(429));
    assertEquals(40, back.sources().distinctEstimate(), 0.5);
  }

  /** A rule book snapshot written before the watch list existed reads back with an empty one. */
  @Test
  void aRuleSetWrittenBeforeWatchesExistedStillReads() throws Exception {
    RuleSet current = RuleSet.EMPTY.with(RULE);
    Serialization ext = SerializationExtension.get(testKit.system());
    Serializer serializer = ext.findSerializerFor(current);
    String manifest = Serializers.manifestFor(serializer, current);
    ObjectMapper cbor =
        JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    Map<String, Object> old = new LinkedHashMap<>();
    old.put("version", 1);
    old.put("rules", Map.of(RULE.id(), cbor.convertValue(RULE, Map.class)));
    RuleSet read =
        (RuleSet)
            ext.deserialize(cbor.writeValueAsBytes(old), serializer.identifier(), manifest).get();
    assertEquals(current, read);
    assertEquals(Map.of(), read.watches());
  }
}
