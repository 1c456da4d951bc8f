package io.autoglm.monitor.node.auth;

import io.autoglm.monitor.node.api.ApiAccess.Role;

/** Who called: a token's id, name and role ({@code GET /api/v1/whoami} answers this). */
public record Principal(String id, String name, Role role) {
  /** Every caller while {@code autoglm.auth.enabled = off}. */
  public static final Principal UNCHECKED =
      new Principal("none", "autoglm.auth.enabled is off", Role.ADMIN);

  /** The admin token given by {@code autoglm.auth.admin-token} or its file. */
  public static final Principal CONFIGURED_ADMIN =
      new Principal("config", "autoglm.auth.admin-token", Role.ADMIN);
}
