package io.autoglm.monitor.persistence.cassandra;

/**
 * The embedded Cassandra could not be started or did not answer CQL in time. The message says why,
 * where the data and log are, and carries the end of the child's log.
 */
public final class CassandraStartException extends RuntimeException {

  public CassandraStartException(String message) {
    super(message);
  }

  public CassandraStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
