package io.autoglm.monitor.tools.api;

import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.agent.cli.TlsOptions;
import io.autoglm.monitor.agent.cli.TokenOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Which node a client command talks to and with which token: {@code --node URL} (else {@code
 * AUTOGLM_NODE}, else {@value NodeApi#DEFAULT_NODE}) and the {@link TokenOptions}: {@code --token},
 * {@code --token-file}, {@code AUTOGLM_TOKEN}, {@code AUTOGLM_TOKEN_FILE}, then the first admin
 * token a node on this machine wrote: the file {@code AUTOGLM_FIRST_TOKEN_FILE} names (as the
 * node's {@code autoglm.auth.first-token-file}), else {@code data/admin-token}. A node serving
 * HTTPS with a self-signed certificate is trusted with {@code --ca FILE} ({@link TlsOptions}).
 */
public final class NodeOptions {

  /** Where a node started with this variable wrote the first admin token, as the node reads it. */
  public static final String FIRST_TOKEN_FILE_ENV = "AUTOGLM_FIRST_TOKEN_FILE";

  /** The longest first-token file read: a token is a short line. */
  static final int MAX_TOKEN_FILE_BYTES = 64 * 1024;

  static final int MAX_TOKEN_CHARS = 4096;

  @Option(
      names = "--node",
      paramLabel = "URL",
      description =
          "the node's API, e.g. https://mon-1:8443 (default: $AUTOGLM_NODE, else "
              + NodeApi.DEFAULT_NODE
              + ")")
  String node;

  @Mixin TokenOptions tokens;

  @Mixin TlsOptions tls;

  /**
   * A client of the node these options name.
   *
   * @throws picocli.CommandLine.ParameterException naming the option or variable at fault
   */
  public NodeApi connect(CommandSpec spec, ConsoleStreams io) {
    String source = node != null ? "option --node" : NodeApi.NODE_ENV;
    String value = node != null ? node : io.env(NodeApi.NODE_ENV);
    URI base;
    try {
      base = NodeApi.parseBase(value != null ? value : NodeApi.DEFAULT_NODE);
    } catch (IllegalArgumentException e) {
      throw OptionChecks.usageError(
          spec,
          source
              + " "
              + e.getMessage()
              + " ("
              + source
              + ": expected http://HOST:PORT or https://HOST:PORT, with an optional path)");
    }
    return new NodeApi(
        base,
        token(spec, io).orElse(null),
        Duration.ofSeconds(30),
        tls.sslContext(spec, io).orElse(null));
  }

  /**
   * The token: the {@link TokenOptions}' unless none of their sources is given and {@code
   * AUTOGLM_FIRST_TOKEN_FILE} names where the local node wrote its first admin token (then that
   * file's, or none when it is not there).
   */
  private Optional<String> token(CommandSpec spec, ConsoleStreams io) {
    String first = io.env(FIRST_TOKEN_FILE_ENV);
    if (first == null
        || given(spec, "--token")
        || given(spec, "--token-file")
        || io.env(TokenOptions.TOKEN_ENV) != null
        || io.env(TokenOptions.TOKEN_FILE_ENV) != null) {
      return tokens.resolve(spec, io);
    }
    Path file = Path.of(first.trim());
    if (!Files.isReadable(file)) {
      return Optional.empty();
    }
    return Optional.of(readFirstToken(spec, file));
  }

  private static boolean given(CommandSpec spec, String option) {
    OptionSpec o = spec.findOption(option);
    return o != null && o.getValue() != null;
  }

  private static String readFirstToken(CommandSpec spec, Path file) {
    String source = FIRST_TOKEN_FILE_ENV + " (" + file + ")";
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_TOKEN_FILE_BYTES + 1);
    } catch (IOException e) {
      throw OptionChecks.usageError(spec, source + ": cannot read: " + OptionChecks.describe(e));
    }
    if (bytes.length > MAX_TOKEN_FILE_BYTES) {
      throw OptionChecks.usageError(
          spec, source + ": larger than " + MAX_TOKEN_FILE_BYTES + " bytes");
    }
    String token = new String(bytes, StandardCharsets.UTF_8).trim();
    if (token.isEmpty()
        || token.length() > MAX_TOKEN_CHARS
        || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw OptionChecks.usageError(
          spec,
          source
              + ": a token is 1 to "
              + MAX_TOKEN_CHARS
              + " printable ASCII characters without spaces");
    }
    return token;
  }
}
