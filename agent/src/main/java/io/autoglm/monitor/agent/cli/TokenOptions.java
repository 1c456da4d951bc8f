package io.autoglm.monitor.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The API token a command sends as {@code Authorization: Bearer TOKEN}: {@code --token TOKEN} or
 * {@code --token-file FILE}, else the environment's {@code AUTOGLM_TOKEN} or {@code
 * AUTOGLM_TOKEN_FILE}, else {@code data/admin-token} when a node started here wrote it. A file's
 * content is trimmed. A file that cannot be read, an empty token or one with characters a header
 * cannot carry is a usage error naming the option (or variable).
 */
public final class TokenOptions {

  public static final String TOKEN_ENV = "AUTOGLM_TOKEN";
  public static final String TOKEN_FILE_ENV = "AUTOGLM_TOKEN_FILE";

  /**
   * Where a node started in this directory ({@code ./autoglm start} or {@code demo}) wrote the
   * cluster's first admin token: the last place looked, so that commands run beside it need no
   * option.
   */
  public static final Path LOCAL_ADMIN_TOKEN = Path.of("data", "admin-token");

  /** Longer token files are refused: a token is a short line, not a document. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  static final int MAX_TOKEN_CHARS = 4096;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "the API token (default: $AUTOGLM_TOKEN); other users may see a command line, prefer"
              + " --token-file or the environment")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "read the API token from FILE, trimmed (default: $AUTOGLM_TOKEN_FILE)")
  Path tokenFile;

  /**
   * The token to send, or empty when none is given anywhere.
   *
   * @throws picocli.CommandLine.ParameterException naming the option or variable at fault
   */
  public Optional<String> resolve(CommandSpec spec, ConsoleStreams io) {
    if (token != null && tokenFile != null) {
      throw OptionChecks.usageError(spec, "give either --token or --token-file, not both");
    }
    if (token != null) {
      return Optional.of(checked(spec, "option --token", token.trim()));
    }
    if (tokenFile != null) {
      return Optional.of(read(spec, "option --token-file", tokenFile));
    }
    String fromEnv = io.env(TOKEN_ENV);
    if (fromEnv != null) {
      return Optional.of(checked(spec, TOKEN_ENV, fromEnv.trim()));
    }
    String fileFromEnv = io.env(TOKEN_FILE_ENV);
    if (fileFromEnv != null) {
      return Optional.of(read(spec, TOKEN_FILE_ENV, Path.of(fileFromEnv.trim())));
    }
    if (Files.isReadable(LOCAL_ADMIN_TOKEN)) {
      return Optional.of(read(spec, "the first admin token's file", LOCAL_ADMIN_TOKEN));
    }
    return Optional.empty();
  }

  private static String read(CommandSpec spec, String source, Path file) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw OptionChecks.usageError(spec, source + ": no such file " + file);
    } catch (IOException e) {
      throw OptionChecks.usageError(
          spec, source + ": cannot read " + file + ": " + OptionChecks.describe(e));
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw OptionChecks.usageError(
          spec, source + ": " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
    }
    return checked(
        spec, source + " (" + file + ")", new String(bytes, StandardCharsets.UTF_8).trim());
  }

  /** A token must fit in one header line: 1 to 4096 visible ASCII characters. */
  private static String checked(CommandSpec spec, String source, String value) {
    if (value.isEmpty()) {
      throw OptionChecks.usageError(spec, source + ": the token is empty");
    }
    if (value.length() > MAX_TOKEN_CHARS) {
      throw OptionChecks.usageError(
          spec, source + ": a token is at most " + MAX_TOKEN_CHARS + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw OptionChecks.usageError(
            spec,
            source
                + ": a token is printable ASCII without spaces; character "
                + (i + 1)
                + " is not");
      }
    }
    return value;
  }
}
