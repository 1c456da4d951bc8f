package io.autoglm.monitor.notifier.outbox;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kind of a failed attempt's error, for counting failures by kind ({@code GET
 * /api/v1/notifications/summary}): {@code http_503}, {@code timeout}, {@code connection_refused},
 * {@code breaker_open}, {@code url_refused}, {@code smtp}, a provider's own error code (Aliyun's
 * {@code isv.BUSINESS_LIMIT_CONTROL}), or {@code other}.
 */
public final class ErrorTypes {
  private ErrorTypes() {}

  private static final Pattern HTTP = Pattern.compile("^HTTP (\\d{3})\\b");
  private static final Pattern CODE = Pattern.compile("^([A-Za-z][A-Za-z0-9_.]{1,63}): ");

  public static String of(String error) {
    if (error == null || error.isBlank()) {
      return "other";
    }
    Matcher http = HTTP.matcher(error);
    if (http.find()) {
      return "http_" + http.group(1);
    }
    String lower = error.toLowerCase(Locale.ROOT);
    if (lower.startsWith("breaker open")) {
      return "breaker_open";
    }
    if (lower.startsWith("refused:")) {
      return "url_refused";
    }
    if (lower.contains("timed out") || lower.contains("timeout")) {
      return "timeout";
    }
    if (lower.contains("connection refused")) {
      return "connection_refused";
    }
    if (lower.startsWith("smtp")) {
      return "smtp";
    }
    Matcher code = CODE.matcher(error);
    return code.find() ? code.group(1) : "other";
  }
}
