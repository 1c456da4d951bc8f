package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node serving HTTPS with the self-signed certificate of deploy/tls/make-http-cert.sh, from its
 * PKCS12 keystore and from its PEM files: a client trusting that certificate gets /health and an
 * authenticated API route; plain HTTP to the port and a client that does not trust it get nothing.
 */
class HttpsIT {
  private static final String TOKEN = "test-admin-token-0123456789abcdef";

  @TempDir static Path tmp;
  private static HttpCert cert;

  @BeforeAll
  static void makeCert() throws Exception {
    cert = HttpCert.make(tmp.resolve("tls"));
  }

  private static Node start(Map<String, Object> tls) {
    Map<String, Object> config = new java.util.HashMap<>();
    tls.forEach((k, v) -> config.put("autoglm.http.tls." + k, v));
    config.put("autoglm.http.tls.enabled", true);
    config.put("autoglm.auth.enabled", "on");
    config.put("autoglm.auth.admin-token", TOKEN);
    return Node.start(NodeFixture.freshConfig(config));
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void servesOnlyHttps(Node node) throws Exception {
    String base = node.baseUrl();
    assertTrue(base.startsWith("https://127.0.0.1:"), base);
    HttpClient client = cert.trustingClient();

    HttpResponse<String> health = get(client, base + "/health");
    assertEquals(200, health.statusCode(), health.body());
    HttpResponse<String> alerts = get(client, base + "/api/v1/alerts");
    assertEquals(200, alerts.statusCode(), alerts.body());
    assertEquals("{\"alerts\":[]}", alerts.body());

    // plain HTTP to the same port: the server answers only a TLS handshake
    String plain = base.replaceFirst("^https", "http");
    assertThrows(IOException.class, () -> get(HttpClient.newHttpClient(), plain + "/health"));
    // a client that does not trust the self-signed certificate: refused in the handshake
    assertThrows(
        SSLHandshakeException.class, () -> get(HttpClient.newHttpClient(), base + "/health"));
  }

  @Test
  void aPkcs12Keystore() throws Exception {
    try (Node node =
        start(
            Map.of(
                "keystore", cert.keystore().toString(),
                "keystore-password", cert.password()))) {
      servesOnlyHttps(node);
    }
  }

  @Test
  void pemFiles() throws Exception {
    try (Node node =
        start(
            Map.of(
                "certificate", cert.certificate().toString(),
                "private-key", cert.privateKey().toString()))) {
      servesOnlyHttps(node);
    }
  }

  @Test
  void aWrongPasswordStopsTheStartNamingTheKey() throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                start(
                    Map.of(
                        "keystore",
                        cert.keystore().toString(),
                        "keystore-password",
                        "not-the-password")));
    assertTrue(
        e.getMessage().startsWith("autoglm.http.tls.keystore-password: does not open "),
        e.getMessage());
  }
}
