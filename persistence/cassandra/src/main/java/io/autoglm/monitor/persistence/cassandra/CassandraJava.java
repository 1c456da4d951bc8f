package io.autoglm.monitor.persistence.cassandra;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a Java that the embedded Cassandra can run on. Cassandra 5.0 runs on Java 11 and 17 only
 * (on 21 and newer it exits with "Setting a system-wide Policy object is not supported"), while the
 * node itself runs on 17, 21 or 25. In order:
 *
 * <ol>
 *   <li>the configured {@code autoglm.cassandra.embedded.java-home} ({@code
 *       AUTOGLM_CASSANDRA_JAVA_HOME}), which must be a supported version;
 *   <li>the Java this node runs on, if it is a supported version;
 *   <li>the newest supported JDK or JRE installed in a usual place ({@code /usr/lib/jvm}, {@code
 *       /usr/lib64/jvm}, {@code /Library/Java/JavaVirtualMachines}, {@code
 *       ~/.sdkman/candidates/java}).
 * </ol>
 *
 * Otherwise the start fails with a message naming what to install and which key to set.
 */
public final class CassandraJava {

  /** The Java feature versions Cassandra 5.0 supports, preferred first. */
  public static final List<Integer> SUPPORTED = List.of(17, 11);

  /** The config key of an explicit Java home for Cassandra. */
  public static final String CONFIG_KEY = EmbeddedCassandra.Settings.CONFIG_PATH + ".java-home";

  private static final Pattern RELEASE_VERSION =
      Pattern.compile("^JAVA_VERSION=\"?(?:1\\.)?(\\d+)", Pattern.MULTILINE);

  private CassandraJava() {}

  /** A Java home and its feature version. */
  public record Found(Path home, int version, String how) {
    public Path executable() {
      return home.resolve("bin").resolve("java");
    }
  }

  /** Finds a Java for Cassandra on this machine; see the class comment for the order. */
  public static Found find(String configuredHome) {
    Path userHome = Path.of(System.getProperty("user.home"));
    return find(
        configuredHome,
        Path.of(System.getProperty("java.home")),
        Runtime.version().feature(),
        List.of(
            Path.of("/usr/lib/jvm"),
            Path.of("/usr/lib64/jvm"),
            Path.of("/Library/Java/JavaVirtualMachines"),
            userHome.resolve(".sdkman/candidates/java")));
  }

  /** {@link #find(String)} with the current Java and the places to search given (for tests). */
  static Found find(String configuredHome, Path currentHome, int currentVersion, List<Path> roots) {
    if (configuredHome != null && !configuredHome.isBlank()) {
      Path home = Path.of(configuredHome.strip());
      if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
        throw new CassandraStartException(
            CONFIG_KEY + " is '" + configuredHome + "', which has no bin/java");
      }
      OptionalInt version = releaseVersion(home);
      if (version.isPresent() && !SUPPORTED.contains(version.getAsInt())) {
        throw new CassandraStartException(
            CONFIG_KEY
                + " is '"
                + configuredHome
                + "', a Java "
                + version.getAsInt()
                + "; the embedded Cassandra 5.0 needs Java 17 or 11");
      }
      return new Found(home, version.orElse(0), "configured in " + CONFIG_KEY);
    }
    if (SUPPORTED.contains(currentVersion)) {
      return new Found(currentHome, currentVersion, "the node's own Java");
    }
    Optional<Found> installed = installed(roots);
    if (installed.isPresent()) {
      return installed.get();
    }
    throw new CassandraStartException(
        "the embedded Cassandra 5.0 needs Java 17 or 11, this node runs on Java "
            + currentVersion
            + " and none was found in "
            + roots
            + ". Install one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set "
            + CONFIG_KEY
            + " (environment AUTOGLM_CASSANDRA_JAVA_HOME) to its home; or point the node at an"
            + " external Cassandra with autoglm.cassandra.contact-points");
  }

  private static Optional<Found> installed(List<Path> roots) {
    List<Found> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
        for (Path child : children) {
          // macOS bundles keep the home under Contents/Home
          for (Path home : List.of(child, child.resolve("Contents/Home"))) {
            OptionalInt version = releaseVersion(home);
            if (version.isPresent()
                && SUPPORTED.contains(version.getAsInt())
                && Files.isExecutable(home.resolve("bin").resolve("java"))) {
              found.add(new Found(home, version.getAsInt(), "found in " + root));
            }
          }
        }
      } catch (IOException unreadable) {
        // an unreadable directory holds nothing we can use
      }
    }
    return found.stream()
        .min(
            Comparator.comparingInt((Found f) -> SUPPORTED.indexOf(f.version()))
                .thenComparing(f -> f.home().toString()));
  }

  /** The feature version in {@code home/release} ({@code JAVA_VERSION="17.0.15"}), if any. */
  static OptionalInt releaseVersion(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      return OptionalInt.empty();
    }
    try {
      Matcher m = RELEASE_VERSION.matcher(Files.readString(release));
      return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    } catch (IOException | NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
