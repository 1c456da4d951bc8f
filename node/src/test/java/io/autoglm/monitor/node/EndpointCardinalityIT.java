package io.autoglm.monitor.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.protocols.capture.CaptureCodec;
import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A client walking random URLs through a gateway: with the default cap of 200 endpoints per
 * service, 20,000 random paths make at most 201 endpoint entities (200 and the service's {@code
 * /(other)}), and every record is still counted exactly once, under its own endpoint or the fold.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndpointCardinalityIT {
  private static final int CAP = 200;
  private static Node node;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    node =
        Node.start(
            NodeFixture.freshConfig(
                Map.of(
                    "autoglm.stats.endpoints.templates.\"*\"",
                    List.of("/v1/models/{id}"),
                    "autoglm.stats.endpoints.max-services",
                    3)));
    http = new TestHttp(node.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static String line(long ts, String path) {
    return CaptureCodec.encode(CaptureRecord.of(ts, path, 200, 12.5, "10.9.0.1")) + "\n";
  }

  private static JsonNode post(String service, List<String> lines) {
    TestHttp.Reply r =
        http.post("/api/v1/ingest?service=" + service, String.join("", lines).getBytes(UTF_8));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private static JsonNode stats(String entityId) {
    TestHttp.Reply r =
        http.get("/api/v1/endpoints/" + URLEncoder.encode(entityId, UTF_8) + "/stats?limit=1000");
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private static List<String> persistedEndpointIds(String service) {
    CassandraReadJournal journal =
        PersistenceQuery.get(node.system())
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    return journal
        .currentPersistenceIds()
        .filter(pid -> pid.startsWith("EndpointStats|" + service + "/"))
        .runWith(Sink.seq(), node.system())
        .toCompletableFuture()
        .join();
  }

  @Test
  @Order(1)
  void twentyThousandRandomPathsMakeAtMostCapPlusOneEndpointsAndEveryRecordCountsOnce() {
    long now = System.currentTimeMillis();
    Random random = new Random(7);
    // what the generator sent, per path as sent
    Map<String, Long> sentPerPath = new HashMap<>();
    long accepted = 0;
    long folded = 0;
    // the service's usual traffic first: one model per request, one endpoint by the template
    List<String> usual = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String path = "/v1/models/m-" + i;
      sentPerPath.merge(path, 1L, Long::sum);
      usual.add(line(now - 1_000, path));
    }
    JsonNode first = post("walk", usual);
    assertEquals(100, first.get("accepted").asLong() + first.get("late").asLong());
    accepted += 100;
    // then the walk; the first paths of it take the rest of the cap
    for (int body = 0; body < 4; body++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        String path =
            i % 10 == 0
                ? "/v1/models/m-" + random.nextInt(1000) // one endpoint by the template
                : "/v1/x/" + new UUID(random.nextLong(), random.nextLong());
        sentPerPath.merge(path, 1L, Long::sum);
        lines.add(line(now - random.nextInt(2_000), path));
      }
      lines.add(line(now, "/(other)")); // a client naming the fold is folded, not admitted
      JsonNode ack = post("walk", lines);
      assertEquals(5_001, ack.get("received").asLong(), ack.toString());
      accepted += ack.get("accepted").asLong() + ack.get("late").asLong();
      folded += ack.path("folded").asLong();
    }
    assertEquals(20_104, accepted, "every record counted, on time or late");

    List<String> entities = persistedEndpointIds("walk");
    assertTrue(entities.size() <= CAP + 1, entities.size() + " endpoint entities");
    assertTrue(entities.contains("EndpointStats|walk/v1/models/{id}"), "the template's endpoint");
    assertTrue(entities.contains("EndpointStats|walk/(other)"), "the fold");

    JsonNode list = http.get("/api/v1/endpoints").json();
    JsonNode walk = null;
    for (JsonNode s : list.get("services")) {
      if (s.get("service").asText().equals("walk")) {
        walk = s;
      }
    }
    assertEquals(CAP, walk.get("endpoints").asInt(), list.toString());
    assertTrue(walk.get("full").asBoolean(), list.toString());
    List<String> listed = new ArrayList<>();
    list.get("endpoints").forEach(e -> listed.add(e.get("id").asText()));
    assertEquals(CAP + 1, listed.stream().filter(id -> id.startsWith("walk/")).count());

    // the counts per endpoint add up to what was sent, the fold holding exactly the folded ones
    long counted = 0;
    long admittedRandomPaths = 0;
    for (String id : listed) {
      if (!id.startsWith("walk/")) {
        continue;
      }
      JsonNode s = stats(id);
      long n = s.get("accepted").asLong() + s.get("late").asLong();
      counted += n;
      if (id.equals("walk/(other)")) {
        assertEquals(folded, s.get("accepted").asLong(), "the ack's folded is the fold's count");
      } else if (id.equals("walk/v1/models/{id}")) {
        long models =
            sentPerPath.entrySet().stream()
                .filter(e -> e.getKey().startsWith("/v1/models/"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        assertEquals(models, n, "every /v1/models/<id> under the template");
      } else {
        String path = id.substring("walk".length());
        assertEquals(sentPerPath.get(path), n, id);
        admittedRandomPaths++;
      }
    }
    assertEquals(20_104, counted);
    assertEquals(CAP - 1, admittedRandomPaths);
    // 18,000 random paths and 4 naming the fold, less the 199 random paths admitted
    assertEquals(18_004 - (CAP - 1), folded);
  }

  @Test
  @Order(2) // "walk" is the first service
  void servicesPastTheServiceCapAreCountedUnderTheFoldOfAllServices() {
    long now = System.currentTimeMillis();
    for (String service : List.of("svc-a", "svc-b", "svc-c", "svc-d", "svc-e")) {
      post(service, List.of(line(now, "/v1/chat/completions")));
    }
    JsonNode list = http.get("/api/v1/endpoints").json();
    List<String> services = new ArrayList<>();
    list.get("services").forEach(s -> services.add(s.get("service").asText()));
    assertEquals(List.of("svc-a", "svc-b", "walk"), services, list.toString());
    List<String> listed = new ArrayList<>();
    list.get("endpoints").forEach(e -> listed.add(e.get("id").asText()));
    assertTrue(listed.contains("(other)/(other)"), listed.toString());
    assertFalse(listed.contains("svc-e/v1/chat/completions"), listed.toString());
    assertEquals(3, stats("(other)/(other)").get("accepted").asLong(), "svc-c, svc-d, svc-e");
    assertEquals(
        404,
        http.get(
                "/api/v1/endpoints/"
                    + URLEncoder.encode("svc-e/v1/chat/completions", UTF_8)
                    + "/stats")
            .status());
  }
}
