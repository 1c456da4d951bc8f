package io.autoglm.monitor.persistence.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/**
 * The files an embedded Cassandra lives on: the generated {@code cassandra.yaml} and {@code
 * logback.xml}, its log, and its pid file, all directly under one data directory.
 */
final class CassandraFiles {

  private static final int TAIL_BYTES = 64 * 1024;

  private final Path dataDir;

  CassandraFiles(Path dataDir) {
    this.dataDir = dataDir.toAbsolutePath().normalize();
  }

  Path dataDir() {
    return dataDir;
  }

  Path yaml() {
    return dataDir.resolve("cassandra.yaml");
  }

  Path logbackXml() {
    return dataDir.resolve("logback.xml");
  }

  Path log() {
    return dataDir.resolve("cassandra.log");
  }

  Path pidFile() {
    return dataDir.resolve("cassandra.pid");
  }

  void writeYaml(String host, int cqlPort, int storagePort) throws IOException {
    String yaml =
        String.join(
            "\n",
            "# Written by " + EmbeddedCassandra.class.getSimpleName() + " on every start.",
            "cluster_name: 'autoglm-dev'",
            "num_tokens: 1",
            "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
            "commitlog_sync: periodic",
            "commitlog_sync_period: 10000ms",
            "commitlog_directory: " + quoted(dataDir.resolve("commitlog")),
            "data_file_directories: [" + quoted(dataDir.resolve("data")) + "]",
            "saved_caches_directory: " + quoted(dataDir.resolve("saved_caches")),
            "hints_directory: " + quoted(dataDir.resolve("hints")),
            "cdc_raw_directory: " + quoted(dataDir.resolve("cdc")),
            "endpoint_snitch: SimpleSnitch",
            "seed_provider:",
            "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
            "    parameters:",
            "      - seeds: " + quoted(host + ":" + storagePort),
            "listen_address: " + host,
            "rpc_address: " + host,
            "native_transport_port: " + cqlPort,
            "storage_port: " + storagePort,
            "start_native_transport: true",
            "");
    Files.writeString(yaml(), yaml, StandardCharsets.UTF_8);
  }

  /**
   * Cassandra ships no logging configuration in its jar; without one logback logs everything at
   * DEBUG. Its stdout is the log file, so one console appender at INFO is all it needs.
   */
  void writeLogbackXml() throws IOException {
    String xml =
        """
        <configuration>
          <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder>
              <pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>
            </encoder>
          </appender>
          <root level="INFO">
            <appender-ref ref="STDOUT"/>
          </root>
        </configuration>
        """;
    Files.writeString(logbackXml(), xml, StandardCharsets.UTF_8);
  }

  /** Keeps the previous run's log as {@code cassandra.log.1} so a restart does not erase it. */
  void rotateLog() throws IOException {
    if (Files.exists(log())) {
      Files.move(log(), dataDir.resolve("cassandra.log.1"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The last {@code lines} lines of the log, or a note saying why there are none. */
  String logTail(int lines) {
    Path log = log();
    if (!Files.exists(log)) {
      return "(no log was written at " + log + ")";
    }
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      if (length == 0) {
        return "(the log " + log + " is empty)";
      }
      long from = Math.max(0, length - TAIL_BYTES);
      byte[] bytes = new byte[(int) (length - from)];
      file.seek(from);
      file.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
      int start = Math.max(from == 0 ? 0 : 1, all.size() - lines); // drop a cut first line
      return String.join("\n", all.subList(start, all.size()));
    } catch (IOException e) {
      return "(could not read " + log + ": " + e + ")";
    }
  }

  private static String quoted(Object value) {
    return "'" + value.toString().replace("'", "''") + "'";
  }
}
