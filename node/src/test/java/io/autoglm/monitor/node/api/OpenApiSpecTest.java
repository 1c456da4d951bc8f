package io.autoglm.monitor.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.node.auth.ApiTokens;
import io.autoglm.monitor.node.auth.Principal;
import io.autoglm.monitor.node.ingest.IngestIncomplete;
import io.autoglm.monitor.node.ingest.RecordErrorBody;
import io.autoglm.monitor.notifier.receiver.ReceiverCodec;
import io.autoglm.monitor.notifier.route.RouteCodec;
import io.autoglm.monitor.notifier.route.SilenceCodec;
import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.protocols.rule.RuleDiff;
import io.autoglm.monitor.protocols.rule.RuleValidationException;
import io.autoglm.monitor.protocols.wire.IngestAck;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document ({@code openapi.json}, served at {@code GET /api/v1/openapi.json}) against
 * the code, both ways: its operations are exactly the routes of {@link ApiAccess}, each with the
 * role the table gives it (public ones {@code security: []}, the others bearer tokens); its answer
 * schemas are exactly the properties the records are written with; and it is valid OpenAPI 3 as the
 * swagger-parser reads it. (That the node answers every route of the table is {@code
 * RouteTableIT}'s part.)
 */
class OpenApiSpecTest {
  private static final ObjectMapper MAPPER = Json.mapper();

  /**
   * The records the routes answer with (the records these hold follow). A schema of the document
   * that says {@code x-autoglm-record} must be derived from one of them, and every one of them must
   * be in the document as derived.
   */
  static final Class<?>[] ANSWERS = {
    Health.class,
    ErrorBody.class,
    IngestAck.class,
    RecordErrorBody.class,
    IngestIncomplete.class,
    RuleList.class,
    RuleCodec.RuleView.class,
    EndpointList.class,
    EndpointStats.class,
    Series.class,
    TopIps.class,
    IpStats.IpList.class,
    IpStats.class,
    WatchRoutes.WatchList.class,
    RuleCodec.WatchView.class,
    AlertList.class,
    FeedMessage.class,
    AckResult.class,
    NotificationList.class,
    NotificationSummary.class,
    SilenceRoutes.SilenceView.class,
    SilenceRoutes.Created.class,
    ReceiverRoutes.ReceiverList.class,
    ReceiverRoutes.ReceiverView.class,
    ReceiverRoutes.RouteView.class,
    ClusterRoutes.ClusterView.class,
    BlackholeRoutes.Blackhole.class,
    Principal.class,
    TokenRoutes.TokenList.class,
    ApiTokens.Created.class,
    RuleDiff.class,
  };

  /** The bodies of errors: every 4xx and 5xx answer of the document is one of these. */
  private static final Set<String> ERROR_SCHEMAS =
      Set.of("ErrorBody", "RecordErrorBody", "IngestIncomplete");

  /** The one error status whose body is no error: a node that is not Up yet says how it stands. */
  private static final String HEALTH_503 = "GET /health 503";

  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}/]+)}");

  private static String text;
  private static JsonNode spec;

  @BeforeAll
  static void read() throws Exception {
    text = new String(OpenApiRoutes.load(), StandardCharsets.UTF_8);
    spec = MAPPER.readTree(text);
  }

  private static String key(String method, String template) {
    return method.toUpperCase(Locale.ROOT) + " " + template;
  }

  /** The document's operations, "METHOD /template" to the operation. */
  private static Map<String, JsonNode> operations() {
    Map<String, JsonNode> ops = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      Iterator<Map.Entry<String, JsonNode>> items = path.getValue().fields();
      while (items.hasNext()) {
        Map.Entry<String, JsonNode> item = items.next();
        if (METHODS.contains(item.getKey())) {
          ops.put(key(item.getKey(), path.getKey()), item.getValue());
        }
      }
    }
    return ops;
  }

  @Test
  void theDocumentHasExactlyTheRoutesOfTheTable() {
    Set<String> table = new TreeSet<>();
    ApiAccess.routes().forEach(e -> table.add(key(e.method(), e.template())));
    Set<String> document = new TreeSet<>(operations().keySet());
    Set<String> missing = new TreeSet<>(table);
    missing.removeAll(document);
    Set<String> extra = new TreeSet<>(document);
    extra.removeAll(table);
    assertTrue(
        missing.isEmpty() && extra.isEmpty(),
        "routes of ApiAccess missing from openapi.json: "
            + missing
            + "; operations of openapi.json that ApiAccess does not have: "
            + extra);
    assertEquals(table.size(), ApiAccess.routes().size(), "ApiAccess lists a route twice");
  }

  @Test
  void eachOperationNeedsTheRoleTheTableGivesIt() {
    assertEquals(
        "[{\"bearerAuth\":[]}]",
        spec.path("security").toString(),
        "bearer tokens are the document's default");
    JsonNode scheme = spec.at("/components/securitySchemes/bearerAuth");
    assertEquals("http", scheme.path("type").asText(), scheme.toString());
    assertEquals("bearer", scheme.path("scheme").asText(), scheme.toString());
    Map<String, JsonNode> ops = operations();
    List<String> wrong = new ArrayList<>();
    for (ApiAccess.Entry e : ApiAccess.routes()) {
      JsonNode op = ops.get(key(e.method(), e.template()));
      if (op == null) {
        continue; // theDocumentHasExactlyTheRoutesOfTheTable says which
      }
      String route = key(e.method(), e.template());
      if (!e.role().label().equals(op.path("x-autoglm-role").asText())) {
        wrong.add(route + ": x-autoglm-role " + op.get("x-autoglm-role") + ", table " + e.role());
      }
      if (!e.summary().equals(op.path("summary").asText())) {
        wrong.add(route + ": summary '" + op.path("summary").asText() + "', table: " + e.summary());
      }
      JsonNode security = op.get("security");
      if (e.role() == ApiAccess.Role.PUBLIC) {
        if (security == null || !security.isArray() || !security.isEmpty()) {
          wrong.add(route + ": public, so security must be [], is " + security);
        }
      } else {
        if (security != null && !security.toString().equals("[{\"bearerAuth\":[]}]")) {
          wrong.add(route + ": needs a bearer token, security is " + security);
        }
        for (String status : List.of("401", "403", "429")) {
          if (!op.path("responses").has(status)) {
            wrong.add(route + ": needs a token but does not document " + status);
          }
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void eachPathParameterOfATemplateIsDeclaredAndNoOther() {
    List<String> wrong = new ArrayList<>();
    operations()
        .forEach(
            (route, op) -> {
              String template = route.substring(route.indexOf(' ') + 1);
              Set<String> inTemplate = new TreeSet<>();
              Matcher m = PATH_PARAMETER.matcher(template);
              while (m.find()) {
                inTemplate.add(m.group(1));
              }
              Set<String> declared = new TreeSet<>();
              List<JsonNode> parameters = new ArrayList<>();
              spec.get("paths").get(template).path("parameters").forEach(parameters::add);
              op.path("parameters").forEach(parameters::add);
              for (JsonNode p : parameters) {
                JsonNode resolved = resolve(p);
                if ("path".equals(resolved.path("in").asText())) {
                  declared.add(resolved.path("name").asText());
                }
              }
              if (!inTemplate.equals(declared)) {
                wrong.add(route + ": template has " + inTemplate + ", declared " + declared);
              }
            });
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void everyErrorAnswerIsAJsonErrorBody() {
    List<String> wrong = new ArrayList<>();
    operations()
        .forEach(
            (route, op) ->
                op.path("responses")
                    .fields()
                    .forEachRemaining(
                        r -> {
                          boolean error = r.getKey().startsWith("4") || r.getKey().startsWith("5");
                          if (error && !HEALTH_503.equals(route + " " + r.getKey())) {
                            JsonNode response = resolve(r.getValue());
                            JsonNode schema = response.at("/content/application~1json/schema");
                            List<JsonNode> bodies = new ArrayList<>();
                            if (schema.has("oneOf")) {
                              schema.get("oneOf").forEach(bodies::add);
                            } else {
                              bodies.add(schema);
                            }
                            if (response.path("content").size() != 1
                                || !bodies.stream().allMatch(OpenApiSpecTest::isErrorBody)) {
                              wrong.add(route + " " + r.getKey() + ": " + response);
                            }
                          }
                        }));
    assertTrue(wrong.isEmpty(), "error answers that are not an error body:\n" + wrong);
  }

  private static boolean isErrorBody(JsonNode schema) {
    return ERROR_SCHEMAS.contains(
        schema.path("$ref").asText().replace("#/components/schemas/", ""));
  }

  @Test
  void theSchemasOfTheAnswersAreTheRecordsAsTheyAreWritten() throws Exception {
    Map<String, ObjectNode> derived = RecordSchemas.of(ANSWERS);
    // what the records say now, for whoever changes one: copy the shapes from here
    Path out = Path.of("target", "openapi-record-schemas.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(derived));
    JsonNode schemas = spec.at("/components/schemas");
    List<String> wrong = new ArrayList<>();
    derived.forEach(
        (name, schema) -> {
          JsonNode written = schemas.get(name);
          if (written == null) {
            wrong.add(name + ": missing from the document (see " + out.toAbsolutePath() + ")");
          } else if (!RecordSchemas.shape(written).equals(schema)) {
            wrong.add(name + ": " + differences(RecordSchemas.shape(written), schema));
          }
        });
    schemas
        .fields()
        .forEachRemaining(
            s -> {
              JsonNode record = s.getValue().get(RecordSchemas.RECORD);
              if (record != null && !derived.containsKey(s.getKey())) {
                wrong.add(
                    s.getKey()
                        + ": says it is "
                        + record.asText()
                        + ", which no answer record holds (OpenApiSpecTest.ANSWERS)");
              }
            });
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  /** How a schema of the document differs from the record's, property by property. */
  private static String differences(JsonNode written, JsonNode record) {
    List<String> d = new ArrayList<>();
    JsonNode wp = written.path("properties");
    JsonNode rp = record.path("properties");
    rp.fieldNames()
        .forEachRemaining(
            p -> {
              if (!wp.has(p)) {
                d.add("property '" + p + "' missing, the record has " + rp.get(p));
              } else if (!wp.get(p).equals(rp.get(p))) {
                d.add("property '" + p + "' is " + wp.get(p) + ", the record's " + rp.get(p));
              }
            });
    wp.fieldNames()
        .forEachRemaining(
            p -> {
              if (!rp.has(p)) {
                d.add("property '" + p + "' is not the record's");
              }
            });
    ObjectNode w = written.deepCopy();
    ObjectNode r = record.deepCopy();
    w.remove("properties");
    r.remove("properties");
    if (!w.equals(r)) {
      d.add("the document has " + w + ", the record " + r);
    }
    return String.join("; ", d);
  }

  /** The properties of a schema of the document. */
  private static Set<String> properties(String schema) {
    Set<String> names = new TreeSet<>();
    spec.at("/components/schemas/" + schema + "/properties")
        .fieldNames()
        .forEachRemaining(names::add);
    assertTrue(!names.isEmpty(), "no schema " + schema + " with properties");
    return names;
  }

  /** The fields a codec's "unknown field; expected one of [...]" error lists. */
  private static Set<String> expected(Runnable parseWithAnUnknownField) {
    try {
      parseWithAnUnknownField.run();
    } catch (IllegalArgumentException e) {
      Matcher m =
          Pattern.compile("unknown field; expected one of \\[([^]]*)]").matcher(e.getMessage());
      assertTrue(m.find(), e.getMessage());
      return new TreeSet<>(List.of(m.group(1).split(", ")));
    }
    throw new AssertionError("an unknown field was taken");
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theRequestBodiesHaveTheFieldsTheCodecsRead() {
    assertEquals(
        expected(() -> SilenceCodec.parse(json("{\"zz\": 1}"), "s", Instant.now())),
        properties("Silence"),
        "POST /api/v1/silences: SilenceCodec's fields");
    assertEquals(
        expected(() -> RouteCodec.parse(json("{\"receiver\": \"r\", \"zz\": 1}"), Set.of("r"))),
        properties("RouteTree"),
        "PUT /api/v1/route: RouteCodec's fields");
    assertEquals(
        expected(() -> ReceiverCodec.parse(json("{\"name\": \"r\", \"zz\": 1}"), null)),
        properties("Receiver"),
        "PUT /api/v1/receivers/{name}: ReceiverCodec's fields");
    Set<String> templates = new TreeSet<>();
    spec.at("/components/schemas/Receiver/properties/templates/properties")
        .fieldNames()
        .forEachRemaining(templates::add);
    assertEquals(
        expected(
            () ->
                ReceiverCodec.parse(
                    json(
                        "{\"name\": \"r\", \"alert_channels\": [], \"templates\": {\"zz\": \"x\"}}"),
                    null)),
        templates,
        "a receiver's templates");
    // a rule and a watch are read with the keys their answers are written with
    assertEquals(properties("RuleView"), properties("Rule"), "PUT /api/v1/rules/{id}");
    assertEquals(properties("WatchView"), properties("Watch"), "PUT /api/v1/ips/watch/{id}");
    for (String field : properties("Rule")) {
      try {
        RuleCodec.parse(MAPPER.createObjectNode().putNull(field), "r");
      } catch (RuleValidationException e) {
        assertTrue(
            !(e.field().equals(field) && e.reason().startsWith("unknown field")),
            "RuleCodec does not read " + field + ": " + e.getMessage());
      }
    }
    RuleValidationException unknown =
        org.junit.jupiter.api.Assertions.assertThrows(
            RuleValidationException.class,
            () -> RuleCodec.parse(MAPPER.createObjectNode().putNull("zz"), "r"));
    assertTrue(unknown.reason().startsWith("unknown field"), unknown.getMessage());
  }

  @Test
  void theAnswerCheckFindsWhatDoesNotFit() {
    OpenApiDocument doc = OpenApiDocument.load();
    JsonNode schema = doc.answerSchema("POST", "/api/v1/alerts/{fingerprint}/ack", 200);
    assertEquals(
        List.of(),
        doc.check(MAPPER.valueToTree(new AckResult("00ff", true, false)), schema),
        "a real answer fits");
    assertEquals(
        List.of(
            "$.fingerprint: number 1, the document says string",
            "$.acknowledged: null, but not nullable in the document",
            "$.extra: not in the document"),
        doc.check(
            json(
                "{\"fingerprint\": 1, \"acknowledged\": null, \"escalationStopped\": true, \"extra\": 0}"),
            schema));
    assertEquals(
        List.of("$: required 'escalationStopped' is missing"),
        doc.check(json("{\"fingerprint\": \"00\", \"acknowledged\": true}"), schema));
    assertEquals(
        List.of("$.alerts[0].status: number 5, the document says string"),
        doc
            .check(
                json("{\"alerts\": [{\"status\": 5}]}"),
                doc.answerSchema("GET", "/api/v1/alerts", 200))
            .stream()
            .filter(e -> e.contains("status"))
            .toList());
  }

  @Test
  void everySchemaIsUsed() {
    List<String> unused = new ArrayList<>();
    spec.at("/components/schemas")
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (!text.contains("\"#/components/schemas/" + name + "\"")) {
                unused.add(name);
              }
            });
    assertTrue(unused.isEmpty(), "schemas no answer, body or schema refers to: " + unused);
  }

  @Test
  void theDocumentIsValidOpenApi3() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(text, null, options);
    assertTrue(result.getMessages().isEmpty(), "swagger-parser: " + result.getMessages());
    assertEquals("3.0.3", spec.get("openapi").asText());
    assertEquals(
        ApiAccess.routes().size(),
        result.getOpenAPI().getPaths().values().stream()
            .mapToInt(p -> p.readOperations().size())
            .sum(),
        "operations as the parser read them");
  }

  @Test
  void aNodeServesTheDocumentAsJson() throws Exception {
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "autoglm",
            ConfigFactory.parseMap(
                    Map.of(
                        "pekko.actor.provider",
                        "cluster",
                        "pekko.remote.artery.canonical.hostname",
                        "127.0.0.1",
                        "pekko.remote.artery.canonical.port",
                        0))
                .withFallback(ConfigFactory.load()));
    try {
      ServerBinding binding =
          Http.get(system)
              .newServerAt("127.0.0.1", 0)
              .bind(
                  new ApiRoutes(
                          system,
                          new OriginGuard(List.of()),
                          AccessControl.unchecked(),
                          new OpenApiRoutes().route())
                      .route())
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + binding.localAddress().getPort()
                                  + "/api/v1/openapi.json"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
      assertEquals(spec, MAPPER.readTree(r.body()));
    } finally {
      system.terminate();
    }
  }

  /** A {@code $ref} to a component, resolved; anything else as it is. */
  private static JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    if (ref == null) {
      return node;
    }
    return spec.at(ref.asText().substring(1));
  }
}
