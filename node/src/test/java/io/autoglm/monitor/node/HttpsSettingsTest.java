package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** autoglm.http.tls read from the files deploy/tls/make-http-cert.sh makes, and bad values. */
class HttpsSettingsTest {
  @TempDir static Path tmp;
  private static HttpCert cert;

  @BeforeAll
  static void makeCert() throws Exception {
    cert = HttpCert.make(tmp.resolve("tls"));
  }

  private static Config tls(Map<String, Object> keys) {
    Map<String, Object> all = new HashMap<>();
    keys.forEach((k, v) -> all.put("autoglm.http.tls." + k, v));
    return ConfigFactory.parseMap(all).withFallback(ConfigFactory.load()).resolve();
  }

  private static String refused(Map<String, Object> keys) {
    return assertThrows(IllegalArgumentException.class, () -> HttpsSettings.fromConfig(tls(keys)))
        .getMessage();
  }

  @Test
  void offByDefault() {
    assertFalse(HttpsSettings.fromConfig(ConfigFactory.load()).enabled());
  }

  @Test
  void aPkcs12KeystoreOrPemFilesTurnItOn() throws Exception {
    assertTrue(
        HttpsSettings.fromConfig(
                tls(
                    Map.of(
                        "enabled", true,
                        "keystore", cert.keystore().toString(),
                        "keystore-password", cert.password())))
            .enabled());
    assertTrue(
        HttpsSettings.fromConfig(
                tls(
                    Map.of(
                        "enabled", true,
                        "certificate", cert.certificate().toString(),
                        "private-key", cert.privateKey().toString())))
            .enabled());
  }

  @Test
  void aBadValueIsRefusedNamingItsKey() throws Exception {
    String keystore = cert.keystore().toString();
    assertEquals(
        "autoglm.http.tls.keystore: no such file /nowhere/http.p12",
        refused(Map.of("enabled", true, "keystore", "/nowhere/http.p12")));
    assertTrue(
        refused(Map.of("enabled", true, "keystore", keystore, "keystore-password", "wrong"))
            .startsWith("autoglm.http.tls.keystore-password: does not open " + keystore));
    assertTrue(refused(Map.of("enabled", true)).contains("set either autoglm.http.tls.keystore"));
    assertTrue(
        refused(
                Map.of(
                    "enabled",
                    true,
                    "keystore",
                    keystore,
                    "certificate",
                    cert.certificate().toString()))
            .contains("not both"));
    assertEquals(
        "autoglm.http.tls.private-key is not set",
        refused(Map.of("enabled", true, "certificate", cert.certificate().toString())));
    // the certificate where the key should be, and the other way round
    assertTrue(
        refused(
                Map.of(
                    "enabled", true,
                    "certificate", cert.certificate().toString(),
                    "private-key", cert.certificate().toString()))
            .startsWith("autoglm.http.tls.private-key: "));
    assertTrue(
        refused(
                Map.of(
                    "enabled", true,
                    "certificate", cert.privateKey().toString(),
                    "private-key", cert.privateKey().toString()))
            .startsWith("autoglm.http.tls.certificate: "));
    Path onlyCert = tmp.resolve("only-cert.p12");
    assertTrue(Files.isRegularFile(cert.certificate()));
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (var in = Files.newInputStream(cert.certificate())) {
      store.setCertificateEntry(
          "c", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    try (var out = Files.newOutputStream(onlyCert)) {
      store.store(out, "secret".toCharArray());
    }
    assertTrue(
        refused(
                Map.of(
                    "enabled",
                    true,
                    "keystore",
                    onlyCert.toString(),
                    "keystore-password",
                    "secret"))
            .contains("holds no private key"));
  }
}
