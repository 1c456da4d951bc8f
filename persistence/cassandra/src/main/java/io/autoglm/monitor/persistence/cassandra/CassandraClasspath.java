package io.autoglm.monitor.persistence.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cassandra's own classpath, as recorded by the {@code cassandra-server} module in the resource
 * {@value #RESOURCE}. Those jars are only ever put on the child JVM's classpath, never on ours.
 */
record CassandraClasspath(String classpath, String version) {

  static final String RESOURCE = "autoglm/cassandra-server.classpath";
  private static final Pattern CASSANDRA_ALL = Pattern.compile("cassandra-all-([^/\\\\]+)\\.jar$");

  static CassandraClasspath load() {
    String classpath;
    try (InputStream in = CassandraClasspath.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new CassandraStartException(
            "Resource "
                + RESOURCE
                + " is not on the classpath: depend on io.autoglm.monitor:cassandra-server"
                + " (with a wildcard exclusion) to get it.");
      }
      classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new CassandraStartException("Could not read resource " + RESOURCE, e);
    }
    List<String> entries =
        Arrays.stream(classpath.split(java.io.File.pathSeparator))
            .filter(entry -> !entry.isBlank())
            .toList();
    List<String> missing = entries.stream().filter(entry -> !Files.exists(Path.of(entry))).toList();
    if (entries.isEmpty() || !missing.isEmpty()) {
      throw new CassandraStartException(
          "Cassandra's classpath from "
              + RESOURCE
              + " lists "
              + missing.size()
              + " of "
              + entries.size()
              + " jars that do not exist on this machine"
              + (missing.isEmpty() ? "" : " (first: " + missing.get(0) + ")")
              + ". Run `mvn -pl persistence/cassandra-server install` here to resolve them.");
    }
    String version =
        entries.stream()
            .map(CASSANDRA_ALL::matcher)
            .filter(Matcher::find)
            .map(m -> m.group(1))
            .findFirst()
            .orElseThrow(
                () ->
                    new CassandraStartException(
                        "Cassandra's classpath from " + RESOURCE + " has no cassandra-all jar"));
    return new CassandraClasspath(String.join(java.io.File.pathSeparator, entries), version);
  }
}
