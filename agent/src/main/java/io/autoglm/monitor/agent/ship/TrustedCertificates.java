package io.autoglm.monitor.agent.ship;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust for a node's HTTPS certificate from one PEM file, as {@code curl --cacert} does: the node's
 * self-signed certificate ({@code deploy/tls/make-http-cert.sh} writes it as {@code http.crt}) or
 * the certificates of the CA that signed it. Only these are trusted, not the JVM's CAs; the host
 * name is still checked against the certificate.
 */
public final class TrustedCertificates {
  /** The environment variable naming the PEM file when {@code --ca} does not. */
  public static final String CA_FILE_ENV = "AUTOGLM_CA_FILE";

  /** Longer files are refused: a few certificates are a few kilobytes. */
  static final int MAX_FILE_BYTES = 1 << 20;

  static final int MAX_CERTIFICATES = 100;

  private TrustedCertificates() {}

  /**
   * An SSL context trusting the certificates in {@code pem}.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException saying what is wrong with its content
   */
  public static SSLContext fromPem(Path pem) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(pem)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("larger than " + MAX_FILE_BYTES + " bytes");
    }
    List<Certificate> certificates;
    try {
      Collection<? extends Certificate> read =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
      certificates = new ArrayList<>(read);
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          "not a certificate in PEM (-----BEGIN CERTIFICATE-----): " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("holds no certificate (PEM: -----BEGIN CERTIFICATE-----)");
    }
    if (certificates.size() > MAX_CERTIFICATES) {
      throw new IllegalArgumentException("holds more than " + MAX_CERTIFICATES + " certificates");
    }
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        trust.setCertificateEntry("trusted-" + i, certificates.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM cannot make a TLS context: " + e, e);
    }
  }

  /**
   * What to tell a user whose connection failed because the node's certificate was not accepted
   * (not trusted, or not naming the host), if that is why {@code failure} happened.
   */
  public static Optional<String> refusedCertificate(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException && hasCertificateCause(t)) {
        return Optional.of(
            "the node's HTTPS certificate was not accepted ("
                + rootMessage(t)
                + "); for a self-signed one give --ca FILE (the certificate in PEM) or set "
                + CA_FILE_ENV);
      }
    }
    return Optional.empty();
  }

  private static boolean hasCertificateCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CertificateException
          || c instanceof java.security.cert.CertPathValidatorException
          || c.getClass().getName().equals("sun.security.validator.ValidatorException")) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    String message = t.getMessage();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        message = c.getMessage();
      }
    }
    return message;
  }
}
