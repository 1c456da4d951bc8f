package io.autoglm.monitor.node.api;

import java.util.List;

/**
 * {@code GET /api/v1/notifications}: one page of the notification audit, oldest first.
 *
 * @param next the {@code after} of the next page; null when this page reached the end of the range
 */
public record NotificationList(List<NotificationView> notifications, String next) {}
