package io.autoglm.monitor.persistence.testkit;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Drops the keyspaces a test class made on the {@link TestCassandra} when the class ends (its
 * nested classes included), so that a full run holds a few test keyspaces at a time rather than
 * hundreds. The JUnit launcher finds it through {@code META-INF/services} in every module whose
 * tests have this test-jar on their class path; test classes run one after the other in a test JVM,
 * so the keyspaces made so far are the ending class's.
 */
public final class DropKeyspacesAfterEachClass implements TestExecutionListener {

  private int classesRunning; // a class and its @Nested classes

  @Override
  public void executionStarted(TestIdentifier test) {
    if (isClass(test)) {
      classesRunning++;
    }
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (isClass(test) && --classesRunning == 0) {
      TestCassandra.dropKeyspacesMadeSoFar();
    }
  }

  private static boolean isClass(TestIdentifier test) {
    return test.isContainer() && test.getSource().filter(ClassSource.class::isInstance).isPresent();
  }
}
