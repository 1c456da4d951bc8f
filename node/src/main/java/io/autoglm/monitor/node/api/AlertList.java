package io.autoglm.monitor.node.api;

import java.util.List;

/** The answer of {@code GET /api/v1/alerts}: the alerts this node has seen, newest first. */
public record AlertList(List<AlertView> alerts) {}
