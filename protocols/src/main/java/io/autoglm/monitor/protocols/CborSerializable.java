package io.autoglm.monitor.protocols;

/**
 * Marker for every message and persisted event that crosses a node boundary or goes to Cassandra.
 * It is bound to Pekko's {@code jackson-cbor} serializer in one place ({@code
 * persistence/src/main/resources/reference.conf}).
 */
public interface CborSerializable {}
