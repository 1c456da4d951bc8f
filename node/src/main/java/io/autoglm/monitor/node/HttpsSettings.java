package io.autoglm.monitor.node;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;

/**
 * {@code autoglm.http.tls}: HTTPS for the node's HTTP server (API, feed, ingest, {@code /health}),
 * off by default. The server's key and certificate chain come from a PKCS12 keystore ({@code
 * keystore}, {@code keystore-password}) or from PEM files ({@code certificate}: the chain, the
 * server's certificate first; {@code private-key}: an unencrypted RSA key, PKCS#8 or PKCS#1, read
 * by pekko-pki's {@link PEMDecoder}). With HTTPS on, the port speaks only HTTPS. A file that is
 * missing or does not open fails the node's start, naming the key.
 *
 * @param context empty: plain HTTP
 */
public record HttpsSettings(Optional<SSLContext> context) {

  private static final String PREFIX = "autoglm.http.tls.";

  public boolean enabled() {
    return context.isPresent();
  }

  /** {@code server} as it is, or serving HTTPS when it is on. */
  public ServerBuilder applyTo(ServerBuilder server) {
    return context.map(c -> server.enableHttps(ConnectionContext.httpsServer(c))).orElse(server);
  }

  /**
   * @throws IllegalArgumentException naming the key whose value does not work
   */
  public static HttpsSettings fromConfig(Config root) {
    Config tls = root.getConfig("autoglm.http.tls");
    if (!tls.getBoolean("enabled")) {
      return new HttpsSettings(Optional.empty());
    }
    String keystore = tls.getString("keystore");
    String certificate = tls.getString("certificate");
    String privateKey = tls.getString("private-key");
    boolean pem = !certificate.isEmpty() || !privateKey.isEmpty();
    if (keystore.isEmpty() == !pem) {
      throw new IllegalArgumentException(
          PREFIX
              + "enabled is on: set either "
              + PREFIX
              + "keystore (PKCS12) or "
              + PREFIX
              + "certificate and "
              + PREFIX
              + "private-key (PEM), not both");
    }
    char[] password = tls.getString("keystore-password").toCharArray();
    KeyStore store =
        pem ? fromPem(certificate, privateKey, password) : fromPkcs12(keystore, password);
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return new HttpsSettings(Optional.of(context));
    } catch (UnrecoverableKeyException e) {
      throw new IllegalArgumentException(
          PREFIX + "keystore-password: does not open the key in " + keystore, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(PREFIX + "keystore: not usable for TLS: " + e, e);
    }
  }

  private static KeyStore fromPkcs12(String path, char[] password) {
    byte[] bytes = read("keystore", path);
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      boolean hasKey = false;
      for (String alias : Collections.list(store.aliases())) {
        hasKey |= store.isKeyEntry(alias);
      }
      if (!hasKey) {
        throw new IllegalArgumentException(
            PREFIX + "keystore: " + path + " holds no private key (only certificates)");
      }
      return store;
    } catch (IOException e) {
      // PKCS12 checks the password with the store's MAC: a wrong one fails the load
      throw new IllegalArgumentException(
          PREFIX
              + "keystore-password: does not open "
              + path
              + " (wrong password, or not a PKCS12 file): "
              + e.getMessage(),
          e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(PREFIX + "keystore: cannot read " + path + ": " + e, e);
    }
  }

  private static KeyStore fromPem(String certificatePath, String keyPath, char[] password) {
    if (certificatePath.isEmpty() || keyPath.isEmpty()) {
      throw new IllegalArgumentException(
          PREFIX + (certificatePath.isEmpty() ? "certificate" : "private-key") + " is not set");
    }
    List<Certificate> chain = new ArrayList<>();
    try (InputStream in = new java.io.ByteArrayInputStream(read("certificate", certificatePath))) {
      chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          PREFIX + "certificate: " + certificatePath + " is not a PEM certificate chain: " + e, e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          PREFIX + "certificate: " + certificatePath + " holds no certificate");
    }
    PrivateKey key;
    try {
      key =
          DERPrivateKeyLoader.load(
              PEMDecoder.decode(
                  new String(read("private-key", keyPath), StandardCharsets.US_ASCII)));
    } catch (RuntimeException e) { // PEMLoadingException, and a malformed key's
      throw new IllegalArgumentException(
          PREFIX
              + "private-key: "
              + keyPath
              + " is not an unencrypted RSA key in PEM (PKCS#8 or PKCS#1): "
              + e.getMessage(),
          e);
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, password, chain.toArray(Certificate[]::new));
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          PREFIX + "private-key: " + keyPath + " does not go with " + certificatePath + ": " + e,
          e);
    }
  }

  private static byte[] read(String key, String path) {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(PREFIX + key + ": no such file " + path, e);
    } catch (IOException e) {
      throw new IllegalArgumentException(PREFIX + key + ": cannot read " + path + ": " + e, e);
    }
  }
}
