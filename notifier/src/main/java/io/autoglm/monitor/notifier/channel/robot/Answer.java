package io.autoglm.monitor.notifier.channel.robot;

/**
 * What a receiver's answer means: delivered, or not and whether trying again may help, with the
 * receiver's own words for the audit.
 */
public record Answer(boolean delivered, boolean retryable, String error) {
  public static final Answer DELIVERED = new Answer(true, false, null);

  public static Answer failed(boolean retryable, String error) {
    return new Answer(false, retryable, error);
  }

  /**
   * The answer by HTTP status alone: 2xx delivered; 408, 429 and 5xx worth retrying; other statuses
   * mean the receiver refuses this request, and the same request will be refused again.
   */
  public static Answer ofStatus(int status, String body) {
    if (status >= 200 && status < 300) {
      return DELIVERED;
    }
    boolean retryable = status == 408 || status == 429 || status >= 500;
    return failed(retryable, "HTTP " + status + (body.isBlank() ? "" : ": " + abbreviate(body)));
  }

  static String abbreviate(String body) {
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }
}
