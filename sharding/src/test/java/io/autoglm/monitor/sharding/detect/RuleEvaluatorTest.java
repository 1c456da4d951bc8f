package io.autoglm.monitor.sharding.detect;

import static io.autoglm.monitor.sharding.TestTraffic.SETTINGS;
import static io.autoglm.monitor.sharding.TestTraffic.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.persistence.event.AlertEvents;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertFired;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPending;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertPendingCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertRecovering;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertRecoveringCleared;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertResolved;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.AlertSettled;
import io.autoglm.monitor.persistence.event.EndpointStatsEvent.StatsIngested;
import io.autoglm.monitor.persistence.stats.LatencySketch;
import io.autoglm.monitor.persistence.stats.WindowStats;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.alert.AlertStatus;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.Comparison;
import io.autoglm.monitor.protocols.rule.Filters;
import io.autoglm.monitor.protocols.rule.Glob;
import io.autoglm.monitor.protocols.rule.Metric;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.Severity;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import io.autoglm.monitor.sharding.stats.EndpointKey;
import io.autoglm.monitor.sharding.stats.EndpointStatsState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules over sliding windows of 1 s panes, evaluated second by second. */
class RuleEvaluatorTest {
  private static final EndpointKey KEY = new EndpointKey("default", "/v1/chat/completions");

  private static ThresholdRule errorRule(long windowMs, long forMs, long cooldownMs) {
    return new ThresholdRule(
        "errors",
        Metric.ERROR_RATE,
        Comparison.GT,
        0.1,
        forMs,
        cooldownMs,
        Severity.CRITICAL,
        Glob.of("*"),
        Glob.of("/v1/chat/*"),
        "",
        windowMs);
  }

  /** Pane {@code second} after T0 with {@code count} requests, {@code errors} of them 5xx. */
  private static WindowStats pane(int second, long count, long errors) {
    long start = T0 + second * 1000L;
    return new WindowStats(
        start,
        start + 1000,
        count,
        0,
        count - errors,
        0,
        0,
        errors,
        errors,
        0.0,
        LatencySketch.empty(),
        0,
        0,
        0,
        0);
  }

  /** Panes for seconds [from, to), each with {@code count} requests, {@code errors} failing. */
  private static List<WindowStats> seconds(int from, int to, long count, long errors) {
    List<WindowStats> out = new ArrayList<>();
    for (int s = from; s < to; s++) {
      out.add(pane(s, count, errors));
    }
    return out;
  }

  /**
   * Feeds the panes in one second at a time and evaluates at each second's end, applying the events
   * as the entity does; returns every alert event.
   */
  private static List<EndpointStatsEvent> run(List<ThresholdRule> rules, List<WindowStats> panes) {
    return new Endpoint(KEY, ServiceBreaches.local()).run(rules, panes);
  }

  /** An endpoint fed pane by pane, as {@link #run} does, reporting to a board it shares. */
  private static final class Endpoint {
    final EndpointKey key;
    final ServiceBreaches breaches;
    EndpointStatsState state;
    final MinuteHistory history = new MinuteHistory(1);

    Endpoint(EndpointKey key, ServiceBreaches breaches) {
      this.key = key;
      this.breaches = breaches;
      this.state = EndpointStatsState.empty(key.entityId());
    }

    List<EndpointStatsEvent> run(List<ThresholdRule> rules, List<WindowStats> panes) {
      List<EndpointStatsEvent> all = new ArrayList<>();
      for (WindowStats p : panes) {
        all.addAll(step(rules, p));
      }
      return all;
    }

    /** Ingests one pane and evaluates at its end. */
    List<EndpointStatsEvent> step(List<ThresholdRule> rules, WindowStats p) {
      StatsIngested ingested =
          new StatsIngested(
              key.entityId(), List.of(p), p.count(), 0, p.end() - 1, 0, Map.of(), 0, p.end());
      EndpointStatsState merged = state.withIngested(ingested, SETTINGS);
      List<EndpointStatsEvent> events =
          RuleEvaluator.evaluate(key, merged, List.of(p.end()), rules, SETTINGS, history, breaches);
      state = state.apply(ingested, SETTINGS);
      for (EndpointStatsEvent e : events) {
        state = state.apply(e, SETTINGS);
      }
      return events;
    }
  }

  private static List<WindowStats> concat(List<WindowStats> a, List<WindowStats> b) {
    List<WindowStats> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void aRuleConfirmedByEndpointsFiresOnlyWhenAnotherEndpointOfTheServiceBreachesToo()
      throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            Json.mapper()
                .readTree(
                    "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.1,"
                        + " \"window\": \"10s\", \"endpoint\": \"/v1/*\","
                        + " \"confirm_with\": [\"endpoints\"]}"),
            "errors");
    List<WindowStats> burst =
        concat(concat(seconds(0, 10, 100, 1), seconds(10, 20, 100, 50)), seconds(20, 40, 100, 0));
    List<WindowStats> clean = seconds(0, 40, 100, 1);

    // one endpoint failing alone, its neighbour clean: its own business, no alert
    ServiceBreaches alone = ServiceBreaches.local();
    Endpoint chat = new Endpoint(KEY, alone);
    Endpoint completions = new Endpoint(new EndpointKey("default", "/v1/completions"), alone);
    assertEquals(List.of(), completions.run(List.of(rule), clean));
    assertEquals(List.of(), chat.run(List.of(rule), burst));

    // both failing, evaluated second by second with /v1/completions first each time (entities
    // of their own go in any order): /v1/chat/completions fires at the first breach, seeing its
    // neighbour's; /v1/completions a second later, once the other's breach was reported
    ServiceBreaches both = ServiceBreaches.local();
    Endpoint chat2 = new Endpoint(KEY, both);
    Endpoint completions2 = new Endpoint(new EndpointKey("default", "/v1/completions"), both);
    List<EndpointStatsEvent> chatEvents = new ArrayList<>();
    List<EndpointStatsEvent> completionsEvents = new ArrayList<>();
    for (WindowStats p : burst) {
      completionsEvents.addAll(completions2.step(List.of(rule), p));
      chatEvents.addAll(chat2.step(List.of(rule), p));
    }
    AlertFired chatFired = assertInstanceOf(AlertFired.class, chatEvents.get(0));
    assertEquals(T0 + 12_000, chatFired.alert().startsAt());
    assertEquals(
        "error_rate 0.108 > 0.1; confirmed by /v1/completions breaching it too",
        chatFired.alert().explanation());
    AlertFired completionsFired = assertInstanceOf(AlertFired.class, completionsEvents.get(0));
    assertEquals(T0 + 13_000, completionsFired.alert().startsAt());
    assertEquals(
        "error_rate 0.157 > 0.1; confirmed by /v1/chat/completions breaching it too",
        completionsFired.alert().explanation());
    // and both resolve when the errors stop, whatever the other does
    assertInstanceOf(AlertResolved.class, chatEvents.get(chatEvents.size() - 1));
    assertInstanceOf(AlertResolved.class, completionsEvents.get(completionsEvents.size() - 1));

    // another service's endpoint breaching confirms nothing
    ServiceBreaches services = ServiceBreaches.local();
    new Endpoint(new EndpointKey("billing", "/v1/completions"), services).run(List.of(rule), burst);
    assertEquals(List.of(), new Endpoint(KEY, services).run(List.of(rule), burst));
  }

  @Test
  void firesAtTheFirstSecondTheSlidingWindowBreachesAndResolvesWhenItNoLongerDoes() {
    // 10 s at 1 % errors, 10 s at 50 %, then clean
    List<WindowStats> panes =
        concat(concat(seconds(0, 10, 100, 1), seconds(10, 20, 100, 50)), seconds(20, 40, 100, 0));
    List<EndpointStatsEvent> events = run(List.of(errorRule(10_000, 0, 0)), panes);
    assertEquals(2, events.size(), events.toString());
    AlertFired fired = assertInstanceOf(AlertFired.class, events.get(0));
    // window ending at T0+12 s: 8 panes at 1 % and 2 at 50 % = 108 / 1000
    assertEquals(T0 + 12_000, fired.alert().startsAt());
    assertEquals(0.108, fired.alert().value(), 1e-9);
    assertEquals(AlertStatus.FIRING, fired.alert().status());
    AlertResolved resolved = assertInstanceOf(AlertResolved.class, events.get(1));
    // window ending at T0+28 s: 2 panes at 50 % = 100 / 1000, no longer above 10 %
    assertEquals(T0 + 28_000, resolved.alert().endsAt());
    assertEquals(fired.alert().fingerprint(), resolved.alert().fingerprint());
  }

  @Test
  void aRecoveryThresholdKeepsAWobblingRateFromFiringAgainAndAgain() {
    ThresholdRule plain = errorRule(5_000, 0, 0);
    ThresholdRule hysteresis = with(plain, 0.05, 0, 0);

    // 5 s windows over 2 s at 14 % errors, 2 s at 6 %, and so on, around a 10 % threshold
    List<WindowStats> dips = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      dips.add(pane(s, 100, s % 4 < 2 ? 14 : 6)); // 2 s at 14 %, 2 s at 6 %
    }
    List<WindowStats> dipping = concat(dips, seconds(20, 30, 100, 0));
    // the windows hold 3·14 + 2·6 = 54 (10.8 %) or 2·14 + 3·6 = 46 (9.2 %): in and out
    List<EndpointStatsEvent> flapping = run(List.of(plain), dipping);
    assertTrue(flapping.size() > 4, "without hysteresis it fires and resolves: " + flapping);
    List<EndpointStatsEvent> steady = run(List.of(hysteresis), dipping);
    assertEquals(2, steady.size(), "fires once, resolves once: " + steady);
    assertInstanceOf(AlertFired.class, steady.get(0));
    AlertResolved resolved = assertInstanceOf(AlertResolved.class, steady.get(1));
    // after the errors stop at 20 s: [18 s, 23 s) holds 6 + 6 = 12 of 500, 2.4 %, the first ≤ 5 %
    assertEquals(T0 + 23_000, resolved.alert().endsAt());
    assertEquals(0.024, resolved.alert().value(), 1e-9);
  }

  @Test
  void aFlappingAlertIsNotifiedOnceAndAgainWhenItSettles() {
    // more than 4 changes of state within 1 minute is flapping
    ThresholdRule rule =
        errorRule(5_000, 0, 0).withFilters(Filters.DEFAULT.withFlapping(4, 60_000));
    List<WindowStats> panes = new ArrayList<>();
    for (int s = 0; s < 40; s++) {
      panes.add(pane(s, 100, s % 4 < 2 ? 14 : 6)); // in and out of 10 % every 2 s
    }
    panes.addAll(seconds(40, 120, 100, 0)); // then clean for 80 s
    panes.addAll(seconds(120, 130, 100, 50)); // then a real burst
    List<EndpointStatsEvent> events = run(List.of(rule), panes);

    List<Alert> published = events.stream().map(AlertEvents::alertOf).toList();
    int settledAt = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i) instanceof AlertSettled) {
        assertEquals(-1, settledAt, "settles once: " + events);
        settledAt = i;
      }
    }
    assertTrue(settledAt > 5, "it flapped, then settled: " + events);
    for (int i = 0; i < 4; i++) {
      assertFalse(published.get(i).flapping(), "the first 4 changes are ordinary: " + events);
    }
    assertTrue(published.get(4).flapping(), "the 5th change within a minute marks it flapping");
    assertFalse(published.get(4).silent(), "and is notified");
    for (int i = 5; i < settledAt; i++) {
      assertTrue(published.get(i).flapping() && published.get(i).silent(), "then silent: " + i);
    }
    Alert settled = published.get(settledAt);
    assertEquals(AlertStatus.RESOLVED, settled.status(), "it settled resolved");
    assertFalse(settled.flapping() || settled.silent(), "notified as an ordinary resolve");
    assertEquals(published.get(0).fingerprint(), settled.fingerprint());
    // a minute after the last change (the clean part starts at 40 s; the last resolve is soon
    // after)
    Alert lastChange = published.get(settledAt - 1);
    assertEquals(AlertStatus.RESOLVED, lastChange.status());
    assertTrue(lastChange.endsAt() <= T0 + 45_000, "last change at " + (lastChange.endsAt() - T0));

    assertEquals(settledAt + 2, events.size(), "after settling, the burst fires: " + events);
    Alert burst = published.get(settledAt + 1);
    assertEquals(AlertStatus.FIRING, burst.status());
    assertFalse(burst.flapping(), "a settled alert starts counting its changes afresh");

    List<EndpointStatsEvent> unfiltered =
        run(List.of(rule.withFilters(Filters.DEFAULT.withFlapping(0, 0))), panes);
    assertTrue(
        unfiltered.stream().map(AlertEvents::alertOf).noneMatch(a -> a.flapping() || a.silent()),
        "flapping: false marks nothing");
    assertEquals(settledAt + 1, unfiltered.size(), "the same changes, without the settle");
  }

  /**
   * {@code rule} with a recovery threshold (null: none), {@code keep_firing_for} and {@code
   * min_requests}.
   */
  private static ThresholdRule with(
      ThresholdRule rule, Double recovery, long keepFiringForMs, long minRequests) {
    return new ThresholdRule(
        rule.id(),
        rule.metric(),
        rule.comparison(),
        rule.threshold(),
        rule.forMs(),
        rule.cooldownMs(),
        rule.severity(),
        rule.serviceSelector(),
        rule.endpointSelector(),
        rule.description(),
        rule.windowMs(),
        rule.scope(),
        rule.ipSelector(),
        recovery,
        keepFiringForMs,
        minRequests);
  }

  @Test
  void keepFiringForRidesOutShortDipsAndResolvesAfterALongEnoughOne() {
    // 2 s windows: 5 s at 50 % errors, a 2 s dip, 3 s at 50 %, then clean
    List<WindowStats> panes =
        concat(
            concat(seconds(0, 5, 100, 50), seconds(5, 7, 100, 0)),
            concat(seconds(7, 10, 100, 50), seconds(10, 20, 100, 0)));
    ThresholdRule plain = errorRule(2_000, 0, 0);

    // without it: fires at 1 s, resolves at 7 s (panes 5 and 6 clean), fires again at 8 s,
    // resolves at 12 s
    List<EndpointStatsEvent> flapping = run(List.of(plain), panes);
    assertEquals(
        List.of(AlertFired.class, AlertResolved.class, AlertFired.class, AlertResolved.class),
        flapping.stream().map(Object::getClass).toList());

    List<EndpointStatsEvent> events = run(List.of(with(plain, null, 3_000, 0)), panes);
    assertEquals(
        List.of(
            AlertFired.class,
            AlertRecovering.class,
            AlertRecoveringCleared.class,
            AlertRecovering.class,
            AlertResolved.class),
        events.stream().map(Object::getClass).toList());
    assertEquals(T0 + 7_000, ((AlertRecovering) events.get(1)).since());
    assertEquals(T0 + 12_000, ((AlertRecovering) events.get(3)).since());
    AlertResolved resolved = (AlertResolved) events.get(4);
    assertEquals(T0 + 15_000, resolved.alert().endsAt(), "3 s after the condition last held");
    assertEquals(
        ((AlertFired) events.get(0)).alert().fingerprint(), resolved.alert().fingerprint());
  }

  @Test
  void minRequestsKeepsATrickleFromFiringARateRule() {
    // 10 s of 3 requests a second, 2 of them failing (67 %), then 5 s of 100 at 50 %
    List<WindowStats> panes = concat(seconds(0, 10, 3, 2), seconds(10, 15, 100, 50));
    ThresholdRule plain = errorRule(2_000, 0, 0);
    AlertFired early = assertInstanceOf(AlertFired.class, run(List.of(plain), panes).get(0));
    assertEquals(T0 + 1_000, early.alert().startsAt(), "2 of 3 requests fire a plain rule");

    List<EndpointStatsEvent> events = run(List.of(with(plain, null, 0, 100)), panes);
    assertEquals(1, events.size(), events.toString());
    AlertFired fired = assertInstanceOf(AlertFired.class, events.get(0));
    // the first 2 s window with 100 requests: [9 s, 11 s) holds 3 + 100, 2 + 50 failing
    assertEquals(T0 + 11_000, fired.alert().startsAt());
    assertEquals(52.0 / 103, fired.alert().value(), 1e-9);
  }

  @Test
  void aShortWindowSeesABurstSooner() {
    List<WindowStats> panes = concat(seconds(0, 10, 100, 0), seconds(10, 12, 100, 50));
    AlertFired fired =
        assertInstanceOf(AlertFired.class, run(List.of(errorRule(1_000, 0, 0)), panes).get(0));
    assertEquals(T0 + 11_000, fired.alert().startsAt(), "the first second of the burst");
    assertEquals(0.5, fired.alert().value(), 1e-9);
  }

  @Test
  void forNeedsTheConditionToHoldThatLong() {
    List<WindowStats> panes =
        concat(
            concat(seconds(0, 3, 100, 50), seconds(3, 4, 100, 0)),
            concat(seconds(4, 10, 100, 50), seconds(10, 11, 100, 50)));
    List<EndpointStatsEvent> events = run(List.of(errorRule(1_000, 3_000, 0)), panes);
    assertInstanceOf(AlertPending.class, events.get(0)); // at 1 s
    assertInstanceOf(AlertPendingCleared.class, events.get(1)); // at 4 s: the clean second
    AlertPending again = assertInstanceOf(AlertPending.class, events.get(2));
    assertEquals(T0 + 5_000, again.activeSince());
    AlertFired fired = assertInstanceOf(AlertFired.class, events.get(3));
    assertEquals(T0 + 5_000, fired.alert().startsAt());
    assertEquals(T0 + 8_000, fired.alert().windowEnd(), "held for 3 s");
    assertEquals(4, events.size(), events.toString());
  }

  @Test
  void cooldownKeepsTheRuleQuietAfterAResolve() {
    List<WindowStats> panes =
        concat(
            concat(seconds(0, 1, 100, 50), seconds(1, 2, 100, 0)), // fire at 1 s, resolve at 2 s
            seconds(2, 8, 100, 50)); // quiet until 2 s + 5 s
    List<EndpointStatsEvent> events = run(List.of(errorRule(1_000, 0, 5_000)), panes);
    assertEquals(3, events.size(), events.toString());
    assertInstanceOf(AlertFired.class, events.get(0));
    assertInstanceOf(AlertResolved.class, events.get(1));
    AlertFired again = assertInstanceOf(AlertFired.class, events.get(2));
    assertEquals(T0 + 8_000, again.alert().windowEnd());
  }

  @Test
  void windowsWithoutRequestsDoNotChangeAnErrorRateAlert() {
    List<WindowStats> panes = concat(seconds(0, 1, 100, 50), seconds(1, 5, 0, 0));
    List<EndpointStatsEvent> events = run(List.of(errorRule(1_000, 0, 0)), panes);
    assertEquals(1, events.size(), events.toString());
    assertInstanceOf(AlertFired.class, events.get(0));
  }

  @Test
  void aQpsDropToZeroFiresOnceTheWindowIsEmpty() {
    ThresholdRule lowQps =
        new ThresholdRule(
            "low-qps",
            Metric.QPS,
            Comparison.LT,
            1.0,
            0,
            0,
            Severity.WARNING,
            Glob.of("*"),
            Glob.of("*"),
            "",
            5_000);
    List<EndpointStatsEvent> events =
        run(List.of(lowQps), concat(seconds(0, 10, 50, 0), seconds(10, 20, 0, 0)));
    assertEquals(1, events.size(), events.toString());
    AlertFired fired = assertInstanceOf(AlertFired.class, events.get(0));
    assertEquals(0.0, fired.alert().value());
    assertEquals(T0 + 15_000, fired.alert().windowEnd(), "5 s after the last request");
  }

  @Test
  void aPointInsideAPaneCoversTheTimeUpToItSoRatesAreNotDiluted() {
    EndpointStatsState state = stateWith(seconds(0, 12, 100, 0));
    // at T0+11.5 s a 10 s window covers the panes starting at 2..11 s: 9.5 s of time
    WindowStats w = RuleEvaluator.windowAt(state, T0 + 11_500, 10_000, SETTINGS, false);
    assertEquals(T0 + 2_000, w.start());
    assertEquals(1000, w.count());
    assertEquals(1000 / 9.5, RuleEvaluator.valueOf(Metric.QPS, w), 1e-9);
  }

  @Test
  void aWindowLongerThanThePaneHistorySumsMinutesForItsOldPart() {
    // 5 minutes at 10 requests a second, 1 error a second in the third minute only
    List<WindowStats> panes = new ArrayList<>();
    for (int s = 0; s < 300; s++) {
      panes.add(pane(s, 10, s >= 120 && s < 180 ? 1 : 0));
    }
    EndpointStatsState state = stateWith(panes);
    assertEquals(5, state.minutes().size());
    assertEquals(60, state.panes().size(), "panes for the last minute");
    // 4 minutes ending at T0+300 s: minutes 1..3 from the minutes, the last minute from panes
    WindowStats w = RuleEvaluator.windowAt(state, T0 + 300_000, 240_000, SETTINGS, false);
    assertEquals(T0 + 60_000, w.start());
    assertEquals(2400, w.count());
    assertEquals(60, w.errors());
    // ending mid-minute, the old end is whole minutes: [T0+120 s, T0+270 s)
    WindowStats mid = RuleEvaluator.windowAt(state, T0 + 270_000, 200_000, SETTINGS, false);
    assertEquals(T0 + 120_000, mid.start());
    assertEquals(1500, mid.count());
  }

  /** A state holding {@code panes}, evaluated up to the end of the last one. */
  private static EndpointStatsState stateWith(List<WindowStats> panes) {
    long end = panes.get(panes.size() - 1).end();
    long count = panes.stream().mapToLong(WindowStats::count).sum();
    return EndpointStatsState.empty(KEY.entityId())
        .apply(
            new StatsIngested(KEY.entityId(), panes, count, 0, end - 1, 0, Map.of(), 0, end),
            SETTINGS);
  }

  @Test
  void rulesForOtherEndpointsAreIgnoredAndADeletedRuleResolves() {
    ThresholdRule other =
        new ThresholdRule(
            "other",
            Metric.ERROR_RATE,
            Comparison.GT,
            0.1,
            0,
            0,
            Severity.INFO,
            Glob.of("*"),
            Glob.of("/v1/embeddings"),
            "");
    assertTrue(run(List.of(other), seconds(0, 3, 100, 50)).isEmpty());

    EndpointStatsState state = stateWith(seconds(0, 3, 100, 50));
    for (EndpointStatsEvent e :
        RuleEvaluator.evaluate(
            KEY,
            state,
            List.of(T0 + 3_000),
            List.of(errorRule(1_000, 0, 0)),
            SETTINGS,
            new MinuteHistory(1))) {
      state = state.apply(e, SETTINGS);
    }
    assertEquals(RuleAlertState.Phase.FIRING, state.alertState("errors").phase());
    List<EndpointStatsEvent> afterDelete =
        RuleEvaluator.evaluate(
            KEY, state, List.of(T0 + 3_500), List.of(), SETTINGS, new MinuteHistory(1));
    assertEquals(1, afterDelete.size());
    assertInstanceOf(AlertResolved.class, afterDelete.get(0));
    state = state.apply(afterDelete.get(0), SETTINGS);
    assertEquals(RuleAlertState.Phase.OK, state.alertState("errors").phase());
  }

  @Test
  void aCriticalLevelRaisesTheFiringAlertOnceWithTheSameStart() throws Exception {
    ThresholdRule rule =
        RuleCodec.parse(
            Json.mapper()
                .readTree(
                    "{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": 0.05,"
                        + " \"critical\": 0.2, \"window\": \"1s\", \"endpoint\": \"/v1/chat/*\"}"),
            "errors");
    List<EndpointStatsEvent> events =
        run(
            List.of(rule),
            concat(
                concat(seconds(0, 2, 100, 1), seconds(2, 4, 100, 10)),
                concat(seconds(4, 7, 100, 30), seconds(7, 8, 100, 1))));
    List<Alert> alerts =
        events.stream()
            .map(
                e ->
                    e instanceof AlertFired f
                        ? f.alert()
                        : e instanceof AlertResolved r ? r.alert() : null)
            .filter(a -> a != null)
            .toList();
    assertEquals(3, alerts.size(), alerts.toString());
    assertEquals(Severity.WARNING, alerts.get(0).severity());
    assertEquals(T0 + 3_000, alerts.get(0).startsAt());
    assertEquals(Severity.CRITICAL, alerts.get(1).severity(), "raised once, at 30 %");
    assertEquals(alerts.get(0).startsAt(), alerts.get(1).startsAt());
    assertEquals(alerts.get(0).fingerprint(), alerts.get(1).fingerprint());
    assertEquals(0.2, alerts.get(1).threshold());
    assertFalse(alerts.get(2).isFiring());
    assertEquals(Severity.CRITICAL, alerts.get(2).severity());
  }

  @Test
  void theAutoRuleFiresOnAnErrorBurstAfterItsHistoryAndSaysWhy() throws Exception {
    ThresholdRule auto = RuleCodec.parse(Json.mapper().readTree("{\"kind\": \"auto\"}"), "auto");
    List<ThresholdRule> rules = AutoRule.expand(List.of(auto));
    assertEquals(
        List.of("auto/error_rate", "auto/p95_latency_ms", "auto/qps_surge", "auto/qps_drop"),
        rules.stream().map(ThresholdRule::id).toList());
    // 15 minutes of 100 requests/s with 1-3 % errors, then 40 % errors for a minute
    List<WindowStats> steady = new ArrayList<>();
    for (int s = 0; s < 900; s++) {
      steady.add(pane(s, 100, 1 + s % 3));
    }
    assertTrue(run(rules, steady).isEmpty(), "steady traffic: no alert");
    List<EndpointStatsEvent> events = run(rules, concat(steady, seconds(900, 960, 100, 40)));
    List<AlertFired> fired =
        events.stream().filter(e -> e instanceof AlertFired).map(e -> (AlertFired) e).toList();
    assertEquals(1, fired.size(), events.toString());
    Alert a = fired.get(0).alert();
    assertEquals("auto/error_rate", a.ruleId());
    assertEquals("baseline", a.kind());
    assertTrue(
        a.startsAt() >= T0 + 900_000 && a.windowEnd() <= T0 + 960_000,
        "within the burst's minute: " + a);
    assertTrue(
        a.explanation()
            .matches("error_rate 0\\.\\d+ is \\d+\\.\\dσ above the 1h median 0\\.02 ± .*"),
        a.explanation());
    assertTrue(a.summary().startsWith("WARNING on /v1/chat/completions: error_rate"), a.summary());
  }
}
