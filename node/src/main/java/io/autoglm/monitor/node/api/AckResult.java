package io.autoglm.monitor.node.api;

/**
 * {@code POST /api/v1/alerts/{fingerprint}/ack}: the firing alert is acknowledged; {@code
 * escalationStopped} says whether it was escalating (a critical alert whose route has an {@code
 * escalation} list, not yet at its end).
 */
public record AckResult(String fingerprint, boolean acknowledged, boolean escalationStopped) {}
