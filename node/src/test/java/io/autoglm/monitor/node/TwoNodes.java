package io.autoglm.monitor.node;

import com.typesafe.config.Config;

/** Two nodes of one cluster on the test Cassandra: the second joins the first. */
record TwoNodes(Node first, Node second) implements AutoCloseable {

  static TwoNodes start(Config base) {
    Node first = Node.start(base); // no seed nodes: it joins itself, on a port the OS picked
    try {
      return new TwoNodes(
          first, Node.start(NodeFixture.clusterMember(base, NodeFixture.clusterPort(first), 0)));
    } catch (RuntimeException e) {
      first.close();
      throw e;
    }
  }

  /** Stops the second, then the first. */
  @Override
  public void close() {
    try {
      second.close();
    } finally {
      first.close();
    }
  }
}
