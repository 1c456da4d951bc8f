package io.autoglm.monitor.node.feed;

import io.autoglm.monitor.protocols.alert.Alert;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Where a feed client is: it has every alert change of the journal up to {@code journalOffset} (a
 * time-based UUID of the alert tag's events-by-tag query) that this node's feed delivered, and the
 * changes {@code pending}, delivered at once from pub-sub but not yet read back from the journal
 * (the journal lags by its eventual-consistency delay). Sent to clients as an opaque URL-safe
 * string ({@link #encode()}): version byte, offset, then 8-byte keys of the pending changes.
 *
 * @param pending {@link #keyOf} of each pending change, at most {@link #MAX_PENDING}
 */
public record FeedCursor(UUID journalOffset, List<Long> pending) {

  /** Pending changes a cursor names at most (beyond them a resume may repeat an alert). */
  public static final int MAX_PENDING = 64;

  /** The longest cursor {@link #decode} reads: version, offset and {@link #MAX_PENDING} keys. */
  public static final int MAX_ENCODED_LENGTH = (1 + 16 + 8 * MAX_PENDING + 2) / 3 * 4;

  private static final byte VERSION = 1;

  /** The journal's order of time-based UUIDs (time, then clock sequence and node). */
  public static final Comparator<UUID> JOURNAL_ORDER =
      Comparator.comparingLong(UUID::timestamp).thenComparingLong(UUID::getLeastSignificantBits);

  public FeedCursor {
    if (journalOffset.version() != 1) {
      throw new IllegalArgumentException("the offset is not a time-based UUID");
    }
    if (pending.size() > MAX_PENDING) {
      throw new IllegalArgumentException("more than " + MAX_PENDING + " pending changes");
    }
    pending = List.copyOf(pending);
  }

  /** The key of one alert change: its fingerprint, start and status (the notifier's key). */
  public static long keyOf(Alert alert) {
    String key = alert.fingerprint() + "-" + alert.startsAt() + "-" + alert.status().wireName();
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The wall time (epoch ms) of {@link #journalOffset}. */
  public long epochMillis() {
    return epochMillisOf(journalOffset);
  }

  /** The time (epoch ms) of a time-based UUID. */
  public static long epochMillisOf(UUID timeBased) {
    // 100 ns intervals since 1582-10-15, the Gregorian calendar's start
    return (timeBased.timestamp() - 0x01b21dd213814000L) / 10_000;
  }

  public String encode() {
    ByteBuffer b = ByteBuffer.allocate(1 + 16 + 8 * pending.size());
    b.put(VERSION);
    b.putLong(journalOffset.getMostSignificantBits());
    b.putLong(journalOffset.getLeastSignificantBits());
    pending.forEach(b::putLong);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  /**
   * The cursor {@code text} encodes.
   *
   * @throws IllegalArgumentException when it is not one {@link #encode} wrote
   */
  public static FeedCursor decode(String text) {
    if (text.length() > MAX_ENCODED_LENGTH) {
      throw new IllegalArgumentException("longer than any cursor");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a cursor the feed sent");
    }
    if (bytes.length < 17 || bytes[0] != VERSION || (bytes.length - 17) % 8 != 0) {
      throw new IllegalArgumentException("not a cursor the feed sent");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
    UUID offset = new UUID(b.getLong(), b.getLong());
    List<Long> pending = new ArrayList<>();
    while (b.hasRemaining()) {
      pending.add(b.getLong());
    }
    if (offset.version() != 1) {
      throw new IllegalArgumentException("not a cursor the feed sent");
    }
    return new FeedCursor(offset, pending);
  }
}
