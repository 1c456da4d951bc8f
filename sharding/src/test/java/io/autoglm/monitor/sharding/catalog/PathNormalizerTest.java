package io.autoglm.monitor.sharding.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PathNormalizerTest {

  @Test
  void aVariableMatchesOneNonEmptySegment() {
    PathTemplate t = PathTemplate.parse("/v1/models/{id}");
    assertTrue(t.matches("/v1/models/gpt-4o"));
    assertFalse(t.matches("/v1/models/"));
    assertFalse(t.matches("/v1/models"));
    assertFalse(t.matches("/v1/models/a/b"));
    assertFalse(t.matches("/v1/modelsX/a"));
    assertTrue(PathTemplate.parse("/v1/{a}/files/{b}").matches("/v1/org-1/files/f-2"));
    assertFalse(PathTemplate.parse("/v1/{a}/files/{b}").matches("/v1/org-1/filez/f-2"));
  }

  @Test
  void aFinalStarMatchesOneOrMoreSegments() {
    PathTemplate t = PathTemplate.parse("/v1/files/*");
    assertTrue(t.matches("/v1/files/abc"));
    assertTrue(t.matches("/v1/files/abc/content"));
    assertFalse(t.matches("/v1/files"));
    assertFalse(t.matches("/v1/files/"));
  }

  @Test
  void badTemplatesAreRefusedSayingWhy() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> PathTemplate.parse("v1/x"))
            .getMessage()
            .contains("must start with '/'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> PathTemplate.parse("/v1/*/x"))
            .getMessage()
            .contains("last segment"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> PathTemplate.parse("/v1/{a b}"))
            .getMessage()
            .contains("'{a b}'"));
    assertThrows(IllegalArgumentException.class, () -> PathTemplate.parse("/v1//x"));
  }

  @Test
  void theServicesOwnTemplatesComeFirstThenTheSharedOnes() {
    PathNormalizer n =
        new PathNormalizer(
            Map.of("edge", List.of(PathTemplate.parse("/v1/models/{model}"))),
            List.of(PathTemplate.parse("/v1/models/{id}"), PathTemplate.parse("/v1/files/*")),
            false);
    assertEquals("/v1/models/{model}", n.normalize("edge", "/v1/models/llama"));
    assertEquals("/v1/models/{id}", n.normalize("core", "/v1/models/llama"));
    assertEquals("/v1/files/*", n.normalize("core", "/v1/files/f-1/content?x=1"));
    assertEquals("/v1/chat/completions", n.normalize("core", "/v1/chat/completions"));
  }

  @Test
  void theQueryStringAndFragmentGo() {
    assertEquals("/v1/chat", PathNormalizer.DEFAULT.normalize("s", "/v1/chat?api-version=2024"));
    assertEquals("/v1/chat", PathNormalizer.DEFAULT.normalize("s", "/v1/chat#x"));
    assertEquals("/", PathNormalizer.DEFAULT.normalize("s", "/?q"));
  }

  @Test
  void strictModeFoldsWhatMatchesNoTemplateAndNoOneCanNameTheFold() {
    PathNormalizer strict =
        new PathNormalizer(Map.of(), List.of(PathTemplate.parse("/v1/chat/completions")), true);
    assertEquals("/v1/chat/completions", strict.normalize("s", "/v1/chat/completions"));
    assertEquals("/(other)", strict.normalize("s", "/wp-admin.php"));
    assertEquals("/(other)", PathNormalizer.DEFAULT.normalize("s", "/(other)"));
    assertEquals("/(other)", PathNormalizer.DEFAULT.normalize("s", "/(other)?x"));
  }

  @Test
  void theConfigurationNamesTheKeyOfABadTemplate() {
    EndpointLimits limits =
        EndpointLimits.fromConfig(
            ConfigFactory.parseString(
                    "autoglm.stats.endpoints.templates { \"*\" = [\"/v1/models/{id}\"],"
                        + " \"edge.a\" = [\"/v2/{x}\"] }")
                .withFallback(ConfigFactory.load()));
    assertEquals("/v2/{x}", limits.normalizer().normalize("edge.a", "/v2/y"));
    assertEquals("/v1/models/{id}", limits.normalizer().normalize("edge.a", "/v1/models/y"));
    assertEquals(200, limits.maxEndpointsPerService());
    assertEquals(100, limits.maxServices());

    ConfigException bad =
        assertThrows(
            ConfigException.class,
            () ->
                EndpointLimits.fromConfig(
                    ConfigFactory.parseString(
                            "autoglm.stats.endpoints.templates { \"*\" = [\"/v1/*/x\"] }")
                        .withFallback(ConfigFactory.load())));
    assertTrue(bad.getMessage().contains("autoglm.stats.endpoints.templates"), bad.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            EndpointLimits.fromConfig(
                ConfigFactory.parseString("autoglm.stats.endpoints.max-per-service = 0")
                    .withFallback(ConfigFactory.load())));
  }
}
