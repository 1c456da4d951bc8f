package io.autoglm.monitor.node.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.autoglm.monitor.node.api.ApiAccess.Role;
import io.autoglm.monitor.persistence.cassandra.TokenStore;
import io.autoglm.monitor.persistence.cassandra.TokenStore.StoredToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens: created with a role, stored as the SHA-256 of the token (which holds 256 random bits,
 * so a plain hash is as good as a slow one), checked on every request, revoked. A token reads
 * {@code agm_<id>_<secret>}; the id finds its row, the hash of the whole token must match.
 *
 * <p>Verified rows are cached for {@code cache-ttl} (bounded in size; unknown ids too, so a spray
 * of made-up tokens costs one read per id and TTL): a revocation takes effect at once on the node
 * that revoked, and on the others within that time.
 */
public final class ApiTokens {
  private static final Logger log = LoggerFactory.getLogger(ApiTokens.class);

  /** The id of the admin token a cluster makes at its first start. */
  public static final String FIRST_ADMIN_ID = "first-admin";

  private static final Pattern ID = Pattern.compile("[a-z0-9-]{1,32}");
  private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._@:-]{1,64}");
  private static final int CACHED_IDS = 10_000;

  private final TokenStore store;
  private final AuthSettings settings;
  private final byte[] configuredAdminHash;
  private final AsyncCache<String, Optional<StoredToken>> rows;
  private final SecureRandom random = new SecureRandom();

  public ApiTokens(TokenStore store, AuthSettings settings) {
    this.store = store;
    this.settings = settings;
    this.configuredAdminHash = settings.adminToken().map(ApiTokens::sha256).orElse(null);
    this.rows =
        Caffeine.newBuilder()
            .expireAfterWrite(settings.cacheTtl())
            .maximumSize(CACHED_IDS)
            .buildAsync();
  }

  /** A token just made: its secret is in {@code token}, shown this once. */
  public record Created(String id, String name, Role role, Instant createdAt, String token) {}

  /** A token as listed: never its secret or hash. */
  public record Listed(String id, String name, Role role, Instant createdAt, Instant revokedAt) {}

  /** Why a token could not be made. */
  public static final class Refused extends RuntimeException {
    private final boolean conflict;

    Refused(String message, boolean conflict) {
      super(message);
      this.conflict = conflict;
    }

    /** True for the limit (409), false for a bad name or role (400). */
    public boolean conflict() {
      return conflict;
    }
  }

  /** The caller a presented token stands for; empty for an unknown, malformed or revoked one. */
  public CompletionStage<Optional<Principal>> verify(String presented) {
    if (presented.isEmpty() || presented.length() > AuthSettings.MAX_TOKEN) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    byte[] hash = sha256(presented);
    if (configuredAdminHash != null && MessageDigest.isEqual(hash, configuredAdminHash)) {
      return CompletableFuture.completedFuture(Optional.of(Principal.CONFIGURED_ADMIN));
    }
    Optional<String> id = idOf(presented);
    if (id.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return rows.get(id.get(), (key, executor) -> store.find(key).toCompletableFuture())
        .thenApply(
            row ->
                row.filter(t -> !t.revoked())
                    .filter(t -> MessageDigest.isEqual(hash, HexFormat.of().parseHex(t.hash())))
                    .flatMap(
                        t -> Role.ofToken(t.role()).map(r -> new Principal(t.id(), t.name(), r))));
  }

  /** A new token named {@code name} with {@code role} (a label: viewer, editor, admin, agent). */
  public CompletionStage<Created> create(String name, String role) {
    if (name == null || !NAME.matcher(name).matches()) {
      return CompletableFuture.failedFuture(
          new Refused(
              "name: 1 to 64 letters, digits, spaces and . _ @ : - (a person or an agent)", false));
    }
    Optional<Role> r = role == null ? Optional.empty() : Role.ofToken(role);
    if (r.isEmpty()) {
      return CompletableFuture.failedFuture(
          new Refused("role: one of viewer, editor, admin, agent", false));
    }
    return store
        .all()
        .thenCompose(
            all -> {
              long live = all.stream().filter(t -> !t.revoked()).count();
              if (all.size() >= settings.maxTokens() && live >= settings.maxTokens()) {
                throw new Refused(
                    "there are already "
                        + live
                        + " tokens (autoglm.auth.max-tokens); revoke some first",
                    true);
              }
              byte[] idBytes = new byte[8];
              random.nextBytes(idBytes);
              Created made = make(HexFormat.of().formatHex(idBytes), name, r.get());
              return store.insert(row(made)).thenApply(done -> made);
            });
  }

  private Created make(String id, String name, Role role) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token =
        "agm_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new Created(id, name, role, Instant.now(), token);
  }

  private static StoredToken row(Created t) {
    return new StoredToken(
        t.id(),
        HexFormat.of().formatHex(sha256(t.token())),
        t.name(),
        t.role().label(),
        t.createdAt(),
        null);
  }

  /** Every token, revoked ones included, oldest first. */
  public CompletionStage<List<Listed>> list() {
    return store
        .all()
        .thenApply(
            all ->
                all.stream()
                    .sorted(
                        java.util.Comparator.comparing(
                            StoredToken::createdAt,
                            java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())))
                    .map(
                        t ->
                            new Listed(
                                t.id(),
                                t.name(),
                                Role.ofToken(t.role()).orElse(null),
                                t.createdAt(),
                                t.revokedAt()))
                    .toList());
  }

  /** Revokes token {@code id}: false if there is none. In effect here at once. */
  public CompletionStage<Boolean> revoke(String id) {
    if (!ID.matcher(id).matches()) {
      return CompletableFuture.completedFuture(false);
    }
    return store
        .revoke(id, Instant.now())
        .whenComplete((done, failure) -> rows.synchronous().invalidate(id));
  }

  /** Whether {@code id} is shaped like a token id (for a 400 before any read). */
  public static boolean isId(String id) {
    return ID.matcher(id).matches();
  }

  /**
   * At start, with auth on and no admin token configured: makes the cluster's first admin token
   * unless one was made before (whichever node gets there first; the others find it made), prints
   * it once in the log and writes it to {@code first-token-file} (mode 600) for the local CLI and
   * demo.
   */
  public CompletionStage<Void> ensureFirstAdmin() {
    if (!settings.enabled() || settings.adminToken().isPresent()) {
      return CompletableFuture.completedFuture(null);
    }
    Created first = make(FIRST_ADMIN_ID, "first admin token", Role.ADMIN);
    return firstAdmin(row(first), 5)
        .thenAccept(
            ours -> {
              if (ours) {
                announce(first.token());
              }
            });
  }

  /**
   * Whether {@code row} became the first admin token: a lightweight transaction, so that of nodes
   * starting together one wins; a timed-out attempt may have been applied, so the row is read back
   * before the next attempt.
   */
  private CompletionStage<Boolean> firstAdmin(StoredToken row, int attempts) {
    return store
        .find(FIRST_ADMIN_ID)
        .thenCompose(
            existing ->
                existing.isPresent()
                    ? CompletableFuture.completedFuture(existing.get().hash().equals(row.hash()))
                    : store.insertIfAbsent(row))
        .exceptionallyCompose(
            failure -> {
              if (attempts <= 1) {
                return CompletableFuture.failedFuture(failure);
              }
              log.warn("Making the first admin token failed, trying again: {}", failure.toString());
              return firstAdmin(row, attempts - 1);
            });
  }

  private void announce(String token) {
    Path file = settings.firstTokenFile();
    String where;
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE);
      where = "; also written to " + file.toAbsolutePath() + " (mode 600)";
    } catch (IOException | UnsupportedOperationException e) {
      where = "; it could not be written to " + file + ": " + e;
    }
    log.warn(
        "\n\n  The first admin token of this cluster (shown once; keep it, or revoke it once you"
            + " have made your own):\n\n    {}\n\n  Use it as `Authorization: Bearer <token>`,"
            + " ./autoglm ... --token-file, or AUTOGLM_TOKEN{}\n",
        token,
        where);
  }

  private static Optional<String> idOf(String token) {
    if (!token.startsWith("agm_")) {
      return Optional.empty();
    }
    int sep = token.indexOf('_', 4);
    if (sep < 0) {
      return Optional.empty();
    }
    String id = token.substring(4, sep);
    String secret = token.substring(sep + 1);
    return ID.matcher(id).matches() && SECRET.matcher(secret).matches()
        ? Optional.of(id)
        : Optional.empty();
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
