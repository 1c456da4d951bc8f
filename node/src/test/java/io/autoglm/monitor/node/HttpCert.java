package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The self-signed HTTPS certificate of deploy/tls/make-http-cert.sh, made by the real script. */
public final class HttpCert {
  static final Path SCRIPT = Checkout.file("deploy", "tls", "make-http-cert.sh");

  final Path dir;

  private HttpCert(Path dir) {
    this.dir = dir;
  }

  /** Runs the script into {@code dir} (hosts: its defaults, localhost and 127.0.0.1). */
  public static HttpCert make(Path dir) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder("bash", SCRIPT.toString(), dir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), "make-http-cert.sh did not finish");
    assertEquals(0, process.exitValue(), output);
    HttpCert cert = new HttpCert(dir);
    for (Path p : new Path[] {cert.keystore(), cert.certificate(), cert.privateKey()}) {
      assertTrue(Files.isRegularFile(p), p + " missing: " + output);
    }
    return cert;
  }

  public Path keystore() {
    return dir.resolve("http.p12");
  }

  public String password() throws IOException {
    return Files.readString(dir.resolve("http-password"));
  }

  public Path certificate() {
    return dir.resolve("http.crt");
  }

  public Path privateKey() {
    return dir.resolve("http.key");
  }

  /** A JDK client that trusts this certificate (and nothing else). */
  HttpClient trustingClient() throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certificate())) {
      trust.setCertificateEntry(
          "autoglm-http", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }
}
