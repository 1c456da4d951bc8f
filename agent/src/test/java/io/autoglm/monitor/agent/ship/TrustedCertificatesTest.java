package io.autoglm.monitor.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedCertificatesTest {
  @TempDir Path dir;

  private static String testCa() throws Exception {
    try (var in = TrustedCertificatesTest.class.getResourceAsStream("/tls/test-ca.crt")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  private Path file(String content) throws Exception {
    return Files.writeString(Files.createTempFile(dir, "ca", ".crt"), content);
  }

  @Test
  void oneOrSeveralCertificatesInPemAreTrusted() throws Exception {
    assertNotNull(TrustedCertificates.fromPem(file(testCa())));
    // a chain or a bundle: certificates one after the other, text around them ignored
    assertNotNull(TrustedCertificates.fromPem(file("the test CA\n" + testCa() + testCa())));
  }

  @Test
  void whatIsNoCertificateIsRefusedSayingWhy() throws Exception {
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> TrustedCertificates.fromPem(file("")));
    assertTrue(empty.getMessage().startsWith("holds no certificate"), empty.getMessage());
    IllegalArgumentException key =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TrustedCertificates.fromPem(
                    file("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")));
    assertTrue(key.getMessage().startsWith("not a certificate in PEM"), key.getMessage());
    IllegalArgumentException huge =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TrustedCertificates.fromPem(
                    file(testCa().repeat(TrustedCertificates.MAX_FILE_BYTES / 400))));
    assertEquals("larger than 1048576 bytes", huge.getMessage());
    IllegalArgumentException many =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TrustedCertificates.fromPem(
                    file(testCa().repeat(TrustedCertificates.MAX_CERTIFICATES + 1))));
    assertEquals("holds more than 100 certificates", many.getMessage());
  }

  @Test
  void aRefusedCertificateIsToldApartFromAnUnreachableNode() {
    SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
    untrusted.initCause(new CertificateException("unable to find valid certification path"));
    Optional<String> hint =
        TrustedCertificates.refusedCertificate(new java.io.IOException("wrapped", untrusted));
    assertEquals(
        Optional.of(
            "the node's HTTPS certificate was not accepted (unable to find valid certification"
                + " path); for a self-signed one give --ca FILE (the certificate in PEM) or set"
                + " AUTOGLM_CA_FILE"),
        hint);
    assertEquals(
        Optional.empty(), TrustedCertificates.refusedCertificate(new ConnectException("refused")));
    // a handshake that failed for another reason (the server speaks no TLS) is not about trust
    assertEquals(
        Optional.empty(),
        TrustedCertificates.refusedCertificate(new SSLHandshakeException("Remote host closed")));
  }

  @Test
  void aNodeAddressBecomesTheStreamsBaseUrl() {
    assertEquals("ws://h:1", StreamShipper.baseUrl("h:1"));
    assertEquals("ws://[::1]:8080", StreamShipper.baseUrl("[::1]:8080"));
    assertEquals("wss://h:1", StreamShipper.baseUrl("wss://h:1/"));
    assertEquals("WSS://h:1", StreamShipper.baseUrl("WSS://h:1"));
    assertEquals("wss://h:8443", StreamShipper.baseUrl("https://h:8443"));
    assertEquals("ws://h:8080", StreamShipper.baseUrl("http://h:8080"));
  }
}
