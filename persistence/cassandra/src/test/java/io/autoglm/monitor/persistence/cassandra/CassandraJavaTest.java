package io.autoglm.monitor.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which Java the embedded Cassandra is started with, on fake JDK directories. */
class CassandraJavaTest {
  @TempDir Path jvms;

  private Path jdk(String name, String version) throws Exception {
    Path home = jvms.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        home.resolve("release"),
        "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\nJAVA_VERSION_DATE=\"x\"\n");
    return home;
  }

  @Test
  void theNodesOwnJavaWhenCassandraSupportsIt() throws Exception {
    Path own = jdk("own-17", "17.0.15");
    jdk("other-11", "11.0.2");
    CassandraJava.Found found = CassandraJava.find("", own, 17, List.of(jvms));
    assertEquals(own, found.home());
    assertEquals("the node's own Java", found.how());
  }

  @Test
  void onJava25TheNewestSupportedInstalledJavaIsTaken() throws Exception {
    Path own = jdk("temurin-25", "25.0.3");
    jdk("java-11", "11.0.2");
    Path seventeen = jdk("java-17-openjdk-amd64", "17.0.15");
    CassandraJava.Found found = CassandraJava.find("", own, 25, List.of(jvms));
    assertEquals(seventeen, found.home());
    assertEquals(17, found.version());
    assertEquals(seventeen.resolve("bin/java"), found.executable());
  }

  @Test
  void withoutASupportedJavaTheMessageSaysWhatToInstallAndWhichKeyToSet() throws Exception {
    Path own = jdk("temurin-25", "25.0.3");
    jdk("java-21", "21.0.1");
    CassandraStartException e =
        assertThrows(
            CassandraStartException.class,
            () -> CassandraJava.find("", own, 25, List.of(jvms, jvms.resolve("missing"))));
    assertTrue(e.getMessage().contains("needs Java 17 or 11"), e.getMessage());
    assertTrue(e.getMessage().contains("runs on Java 25"), e.getMessage());
    assertTrue(e.getMessage().contains("openjdk-17"), e.getMessage());
    assertTrue(e.getMessage().contains("autoglm.cassandra.embedded.java-home"), e.getMessage());
  }

  @Test
  void aConfiguredHomeWinsAndIsChecked() throws Exception {
    Path own = jdk("own-17", "17.0.15");
    Path eleven = jdk("java-11", "11.0.2");
    assertEquals(eleven, CassandraJava.find(eleven.toString(), own, 17, List.of()).home());

    Path twentyFive = jdk("temurin-25", "25.0.3");
    CassandraStartException tooNew =
        assertThrows(
            CassandraStartException.class,
            () -> CassandraJava.find(twentyFive.toString(), own, 17, List.of()));
    assertTrue(tooNew.getMessage().contains("a Java 25"), tooNew.getMessage());

    CassandraStartException noJava =
        assertThrows(
            CassandraStartException.class,
            () -> CassandraJava.find(jvms.resolve("nothing").toString(), own, 17, List.of()));
    assertTrue(noJava.getMessage().contains("has no bin/java"), noJava.getMessage());
  }

  @Test
  void thisMachinesJavaIsUsable() {
    CassandraJava.Found found = CassandraJava.find("");
    assertTrue(CassandraJava.SUPPORTED.contains(found.version()), found.toString());
    assertTrue(Files.isExecutable(found.executable()), found.toString());
  }
}
