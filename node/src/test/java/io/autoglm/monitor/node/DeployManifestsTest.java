package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.persistence.cassandra.CassandraSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests of {@code deploy/k8s} against the node they deploy: every environment
 * variable they set is one the node's configuration reads, the configuration a pod gets from them
 * passes the node's checks and agrees with the probes and ports, and {@code
 * cassandra/keyspaces.cql} makes the tables {@link CassandraSchema} would.
 */
class DeployManifestsTest {
  /** The pod IP the downward API gives {@code status.podIP}, for the pod's configuration. */
  private static final String POD_IP = "10.0.0.7";

  private static Path dir;
  private static List<JsonNode> docs;

  @BeforeAll
  static void read() throws IOException {
    // node/newer-java runs node's tests again without node's test dependencies
    assumeTrue(
        DeployManifestsTest.class
                .getClassLoader()
                .getResource("com/fasterxml/jackson/dataformat/yaml/YAMLFactory.class")
            != null,
        "jackson-dataformat-yaml is not on this module's test class path");
    dir = k8sDir();
    List<JsonNode> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        List<JsonNode> read = Yaml.documents(f);
        assertFalse(read.isEmpty(), f + " holds no document");
        all.addAll(read);
      }
    }
    docs = all;
  }

  /** deploy/k8s of this checkout. */
  static Path k8sDir() {
    return Checkout.file("deploy", "k8s");
  }

  private static JsonNode only(String kind) {
    List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    assertEquals(1, found.size(), "one " + kind);
    return found.get(0);
  }

  private static JsonNode named(String kind, String name) {
    return docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind))
        .filter(d -> d.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static JsonNode container() {
    JsonNode containers = only("StatefulSet").at("/spec/template/spec/containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static int containerPort(String name) {
    for (JsonNode p : container().path("ports")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no container port " + name);
  }

  @Test
  void everyResourceIsThereAndNamespaceAgnostic() {
    for (String kind :
        List.of("ServiceAccount", "Role", "RoleBinding", "ConfigMap", "StatefulSet")) {
      only(kind);
    }
    assertEquals(2, docs.stream().filter(d -> d.path("kind").asText().equals("Service")).count());
    assertEquals(1, only("PodDisruptionBudget").at("/spec/maxUnavailable").asInt());
    for (JsonNode d : docs) {
      assertTrue(
          d.at("/metadata/namespace").isMissingNode(),
          d.path("kind").asText() + " names a namespace");
    }
  }

  @Test
  void theNodesMayListThePodsAndNothingElse() {
    JsonNode rules = only("Role").path("rules");
    assertEquals(1, rules.size());
    assertEquals("[\"pods\"]", rules.get(0).path("resources").toString());
    assertEquals("[\"get\",\"watch\",\"list\"]", rules.get(0).path("verbs").toString());
    JsonNode binding = only("RoleBinding");
    assertEquals(only("Role").at("/metadata/name"), binding.at("/roleRef/name"));
    assertEquals(
        only("ServiceAccount").at("/metadata/name").asText(),
        binding.at("/subjects/0/name").asText());
    assertEquals(
        only("ServiceAccount").at("/metadata/name").asText(),
        only("StatefulSet").at("/spec/template/spec/serviceAccountName").asText());
  }

  /** Every {@code ${?NAME}} of the node's configuration files (and its libraries'). */
  private static String configText() throws IOException {
    StringBuilder text = new StringBuilder();
    for (String name :
        List.of(
            "application.conf",
            "cluster.conf",
            "http.conf",
            "autoglm-persistence.conf",
            "reference.conf")) {
      for (URL url : Collections.list(getClassLoader().getResources(name))) {
        try (InputStream in = url.openStream()) {
          text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
        }
      }
    }
    return text.toString();
  }

  private static ClassLoader getClassLoader() {
    return DeployManifestsTest.class.getClassLoader();
  }

  @Test
  void everyEnvironmentVariableIsOneTheNodeReads() throws IOException {
    String config = configText();
    JsonNode env = container().path("env");
    assertTrue(env.size() > 5, env.toString());
    for (JsonNode e : env) {
      String name = e.path("name").asText();
      assertTrue(name.startsWith("AUTOGLM_"), name + " is not the node's");
      assertTrue(config.contains("${?" + name + "}"), name + " is read by no configuration file");
    }
    assertTrue(container().path("envFrom").isMissingNode(), "envFrom hides what is set");
  }

  /**
   * The configuration a pod of the StatefulSet runs with: the ConfigMap's node.conf (its {@code
   * -Dconfig.file}) resolved with the container's environment.
   */
  private static Config podConfig() {
    JsonNode configMap = only("ConfigMap");
    Map<String, String> env = new HashMap<>();
    for (JsonNode e : container().path("env")) {
      String name = e.path("name").asText();
      if (e.has("value")) {
        env.put(name, e.path("value").asText());
      } else if (e.at("/valueFrom/fieldRef/fieldPath").asText().equals("status.podIP")) {
        env.put(name, POD_IP);
      } else if (e.at("/valueFrom/secretKeyRef").isObject()) {
        // a Secret the operator makes (the admin token): optional, so a pod starts without it
        assertTrue(e.at("/valueFrom/secretKeyRef/optional").asBoolean(), name);
      } else {
        JsonNode ref = e.at("/valueFrom/configMapKeyRef");
        assertEquals(configMap.at("/metadata/name"), ref.path("name"), name);
        JsonNode value = configMap.path("data").path(ref.path("key").asText());
        assertTrue(value.isTextual(), name + ": the ConfigMap has no " + ref.path("key"));
        env.put(name, value.asText());
      }
    }
    String args = container().path("args").toString();
    Matcher file = Pattern.compile("-Dconfig\\.file=([^\"]+)").matcher(args);
    assertTrue(file.find(), args);
    JsonNode mount = container().path("volumeMounts").get(0);
    Path mounted = Path.of(file.group(1));
    assertEquals(mount.path("mountPath").asText(), mounted.getParent().toString());
    String key = mounted.getFileName().toString();
    assertEquals(
        key,
        only("StatefulSet").at("/spec/template/spec/volumes/0/configMap/items/0/key").asText());
    Config environment = ConfigFactory.parseMap(env);
    // as ConfigFactory.load() does: the reference files resolved on their own (they read
    // environment variables too: Cassandra's), then the node's file over them
    Config reference =
        ConfigFactory.parseResources("reference.conf").withFallback(environment).resolve();
    return ConfigFactory.parseString(configMap.path("data").path(key).asText())
        .withFallback(environment)
        .withFallback(reference)
        .resolve();
  }

  @Test
  void thePodsConfigurationPassesTheNodesChecksAndMatchesThePorts() {
    Config config = podConfig();
    ClusterJoin.Settings cluster = ClusterJoin.Settings.fromConfig(config);
    assertEquals(ClusterJoin.Bootstrap.KUBERNETES, cluster.bootstrap());
    assertTrue(cluster.managementEnabled());
    assertEquals(POD_IP, cluster.managementHostname());
    assertEquals("0.0.0.0", cluster.managementBindHostname());
    assertEquals(containerPort("management"), cluster.managementPort());
    JsonNode statefulSet = only("StatefulSet");
    assertEquals(statefulSet.at("/spec/replicas").asInt(), cluster.requiredContactPoints());
    JsonNode podLabels = statefulSet.at("/spec/template/metadata/labels");
    String[] selector = cluster.podLabelSelector().split("=");
    assertEquals(selector[1], podLabels.path(selector[0]).asText(), "the bootstrap's selector");

    NodeSettings node = NodeSettings.fromConfig(config);
    assertEquals(containerPort("http"), node.httpPort());
    assertEquals("0.0.0.0", node.httpInterface());
    assertEquals(containerPort("remoting"), config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(POD_IP, config.getString("pekko.remote.artery.canonical.hostname"));
    assertFalse(
        config.getString("autoglm.cassandra.contact-points-env").isBlank(),
        "no contact points: the node would start an embedded Cassandra");

    String journal = "pekko-persistence-cassandra-profile";
    String snapshot = "pekko-persistence-cassandra-snapshot-profile";
    assertEquals(journal, config.getString("pekko.persistence.cassandra.write-profile"));
    assertEquals(snapshot, config.getString("pekko.persistence.cassandra.snapshot.read-profile"));
    for (String path :
        List.of(
            "datastax-java-driver.basic.request.consistency",
            "datastax-java-driver.profiles." + journal + ".basic.request.consistency",
            "datastax-java-driver.profiles." + snapshot + ".basic.request.consistency")) {
      assertEquals("LOCAL_QUORUM", config.getString(path), path);
    }
  }

  @Test
  void theProbesAskTheManagementEndpoint() {
    Config config = podConfig();
    String health = "pekko.management.health-checks.";
    Map<String, String> paths =
        Map.of(
            "readinessProbe", "/" + config.getString(health + "readiness-path"),
            "livenessProbe", "/" + config.getString(health + "liveness-path"),
            "startupProbe", "/" + config.getString(health + "liveness-path"));
    paths.forEach(
        (probe, path) -> {
          JsonNode get = container().path(probe).path("httpGet");
          assertEquals(path, get.path("path").asText(), probe);
          assertEquals("management", get.path("port").asText(), probe);
        });
    assertEquals(
        ClusterJoin.Settings.fromConfig(config).managementPort(), containerPort("management"));
    // the node gives itself 60 s to leave the cluster (Node.close) before the kubelet kills it
    assertTrue(
        only("StatefulSet").at("/spec/template/spec/terminationGracePeriodSeconds").asInt() > 60);
  }

  @Test
  void theServicesReachTheNamedPorts() {
    JsonNode statefulSet = only("StatefulSet");
    JsonNode podLabels = statefulSet.at("/spec/template/metadata/labels");
    assertEquals(
        "None",
        named("Service", statefulSet.at("/spec/serviceName").asText())
            .at("/spec/clusterIP")
            .asText());
    for (JsonNode service : docs) {
      if (!service.path("kind").asText().equals("Service")) {
        continue;
      }
      service
          .at("/spec/selector")
          .fields()
          .forEachRemaining(l -> assertEquals(l.getValue(), podLabels.path(l.getKey())));
      for (JsonNode port : service.at("/spec/ports")) {
        String target = port.path("targetPort").asText();
        assertEquals(port.path("port").asInt(), containerPort(target), target);
      }
    }
    JsonNode api = named("Service", "autoglm");
    assertEquals("ClusterIP", api.at("/spec/type").asText());
    assertEquals("http", api.at("/spec/ports/0/targetPort").asText());
    only("PodDisruptionBudget")
        .at("/spec/selector/matchLabels")
        .fields()
        .forEachRemaining(l -> assertEquals(l.getValue(), podLabels.path(l.getKey())));
  }

  /** Statements of a CQL file, comments dropped, whitespace made single spaces. */
  static List<String> cql(String text) {
    List<String> statements = new ArrayList<>();
    String code = text.replaceAll("(?m)--.*$", "");
    for (String s : code.split(";")) {
      String one = s.trim().replaceAll("\\s+", " ");
      if (!one.isEmpty()) {
        statements.add(one);
      }
    }
    return statements;
  }

  @Test
  void theCqlMakesTheNodesKeyspacesAndTables() throws IOException {
    Config config = ConfigFactory.load();
    String journal = config.getString("pekko.persistence.cassandra.journal.keyspace");
    String snapshot = config.getString("pekko.persistence.cassandra.snapshot.keyspace");
    List<String> file = cql(Files.readString(dir.resolve("cassandra").resolve("keyspaces.cql")));
    for (String keyspace : List.of(journal, snapshot)) {
      String create = "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " ";
      String statement =
          file.stream()
              .filter(s -> s.startsWith(create))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no " + create));
      assertTrue(statement.contains("'class' : 'NetworkTopologyStrategy'"), statement);
      assertTrue(statement.matches(".*'[^']+' : 3 }$"), statement);
    }
    List<String> tables = file.stream().filter(s -> !s.startsWith("CREATE KEYSPACE")).toList();
    List<String> expected =
        CassandraSchema.statements(journal, snapshot, 3).stream()
            .map(s -> cql(s).get(0))
            .filter(s -> !s.startsWith("CREATE KEYSPACE"))
            .toList();
    assertEquals(expected, tables, "regenerate keyspaces.cql from CassandraSchema.statements");
  }

  /** The YAML parser, apart so the test class loads where the YAML module is absent. */
  private static final class Yaml {
    static List<JsonNode> documents(Path file) {
      var mapper = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
      try (var parser = mapper.getFactory().createParser(file.toFile())) {
        List<JsonNode> documents = new ArrayList<>();
        var it = mapper.readValues(parser, JsonNode.class);
        while (it.hasNext()) {
          JsonNode d = it.next();
          if (d != null && !d.isNull() && !d.isMissingNode()) {
            documents.add(d);
          }
        }
        return documents;
      } catch (IOException e) {
        throw new UncheckedIOException(file + " is not YAML", e);
      }
    }
  }
}
