package io.autoglm.monitor.node.api;

/**
 * The answer of {@code GET /health}: 200 with {@code status} {@code ok} once this node is an Up
 * member of the cluster, else 503 with {@code starting}.
 *
 * @param node this node's cluster address
 * @param memberStatus its membership status ({@code Joining}, {@code Up}, ...)
 * @param members the cluster members this node knows of
 */
public record Health(String status, String node, String memberStatus, long members) {}
