package io.autoglm.monitor.tools.api;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * The options of every command that talks to a node's API: {@code --node URL}, {@code --token T},
 * {@code --token-file F}. Unset, the token comes from {@code AUTOGLM_TOKEN}, then from the file
 * {@code AUTOGLM_TOKEN_FILE} names, then from the first admin token a node on this machine wrote
 * ({@code AUTOGLM_FIRST_TOKEN_FILE}, default {@value #FIRST_TOKEN_FILE}, as {@code
 * autoglm.auth.first-token-file}); the node from {@code AUTOGLM_NODE}, else {@value #DEFAULT_NODE}.
 * Mix it into a command with {@code @Mixin ApiOptions api;}.
 */
public final class ApiOptions {
  public static final String DEFAULT_NODE = "http://127.0.0.1:8080";

  /** Where a node writes the cluster's first admin token (autoglm.auth.first-token-file). */
  public static final String FIRST_TOKEN_FILE = "data/admin-token";

  /** The largest token file read. */
  static final long MAX_TOKEN_FILE_BYTES = 4096;

  @Option(
      names = "--node",
      paramLabel = "URL",
      description =
          "the node's API, e.g. http://10.0.0.5:8080 (default: $AUTOGLM_NODE or "
              + DEFAULT_NODE
              + ")")
  String node;

  @Option(
      names = "--token",
      paramLabel = "T",
      description = "API token, sent as a bearer token (default: $AUTOGLM_TOKEN)")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "F",
      description = "a file holding the API token (default: $AUTOGLM_TOKEN_FILE)")
  Path tokenFile;

  /** The client these options describe. */
  public ApiClient client() throws IOException {
    return client(System::getenv);
  }

  /** As {@link #client()}, reading the environment from {@code env}. */
  public ApiClient client(UnaryOperator<String> env) throws IOException {
    String url = firstSet(node, env.apply("AUTOGLM_NODE"));
    URI base;
    try {
      base = URI.create(url == null ? DEFAULT_NODE : url);
    } catch (IllegalArgumentException e) {
      throw new IOException("--node: not a URL: " + url, e);
    }
    if (base.getScheme() == null
        || !(base.getScheme().equals("http") || base.getScheme().equals("https"))
        || base.getHost() == null) {
      throw new IOException("--node: expected http://HOST:PORT or https://HOST:PORT, got " + url);
    }
    String t;
    if (token != null) {
      t = token;
    } else if (tokenFile != null) {
      t = readToken(tokenFile, "--token-file");
    } else if (firstSet(env.apply("AUTOGLM_TOKEN")) != null) {
      t = env.apply("AUTOGLM_TOKEN");
    } else if (firstSet(env.apply("AUTOGLM_TOKEN_FILE")) != null) {
      t = readToken(Path.of(env.apply("AUTOGLM_TOKEN_FILE")), "AUTOGLM_TOKEN_FILE");
    } else {
      String first = firstSet(env.apply("AUTOGLM_FIRST_TOKEN_FILE"));
      Path firstFile = Path.of(first == null ? FIRST_TOKEN_FILE : first);
      t = Files.isRegularFile(firstFile) ? readToken(firstFile, firstFile.toString()) : null;
    }
    return new ApiClient(base, t == null ? null : t.strip());
  }

  private static String readToken(Path file, String from) throws IOException {
    if (Files.size(file) > MAX_TOKEN_FILE_BYTES) {
      throw new IOException(from + ": " + file + " is larger than a token file can be");
    }
    String t = Files.readString(file).strip();
    if (t.isEmpty()) {
      throw new IOException(from + ": " + file + " is empty");
    }
    return t;
  }

  private static String firstSet(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
