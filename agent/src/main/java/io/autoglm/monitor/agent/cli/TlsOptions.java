package io.autoglm.monitor.agent.cli;

import io.autoglm.monitor.agent.ship.TrustedCertificates;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --ca FILE} (else {@code AUTOGLM_CA_FILE}): the certificate to trust for a node serving
 * HTTPS with a self-signed certificate or one from a private CA ({@link TrustedCertificates}).
 * Without it the JVM's trusted CAs apply. A file that cannot be read or holds no certificate is a
 * usage error naming the option (or variable).
 */
public final class TlsOptions {

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description =
          "trust the node's HTTPS certificate from FILE (PEM: a self-signed certificate such as"
              + " make-http-cert.sh's http.crt, or its CA's) instead of the JVM's CAs (default:"
              + " $AUTOGLM_CA_FILE)")
  Path ca;

  /** The TLS context to connect with, or empty for the JVM's default. */
  public Optional<SSLContext> sslContext(CommandSpec spec, ConsoleStreams io) {
    String source = "option --ca";
    Path file = ca;
    if (file == null) {
      String fromEnv = io.env(TrustedCertificates.CA_FILE_ENV);
      if (fromEnv == null || fromEnv.isBlank()) {
        return Optional.empty();
      }
      source = TrustedCertificates.CA_FILE_ENV;
      file = Path.of(fromEnv.trim());
    }
    try {
      return Optional.of(TrustedCertificates.fromPem(file));
    } catch (NoSuchFileException e) {
      throw OptionChecks.usageError(spec, source + ": no such file " + file);
    } catch (IOException e) {
      throw OptionChecks.usageError(
          spec, source + ": cannot read " + file + ": " + OptionChecks.describe(e));
    } catch (IllegalArgumentException e) {
      throw OptionChecks.usageError(spec, source + ": " + file + " " + e.getMessage());
    }
  }
}
