package io.autoglm.monitor.persistence.cassandra;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Asks a port whether Cassandra's native protocol answers there, without a driver: it sends a
 * protocol v4 {@code OPTIONS} frame and expects a {@code SUPPORTED} frame back. Cheap enough to
 * poll, and unlike a bare TCP connect it cannot be fooled by some other server on the port.
 */
final class CqlProbe {

  private static final int TIMEOUT_MILLIS = 2_000;
  private static final byte V4_REQUEST = 0x04;
  private static final byte V4_RESPONSE = (byte) 0x84;
  private static final byte OPCODE_OPTIONS = 0x05;
  private static final byte OPCODE_SUPPORTED = 0x06;

  private CqlProbe() {}

  /** Whether anything accepts TCP connections on host:port. */
  static boolean listening(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether host:port answers a CQL {@code OPTIONS} request. */
  static boolean answersCql(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      // header: version, flags, stream id (2 bytes), opcode, body length (4 bytes); no body
      out.write(new byte[] {V4_REQUEST, 0, 0, 0, OPCODE_OPTIONS, 0, 0, 0, 0});
      out.flush();
      byte[] header = new byte[9];
      new DataInputStream(socket.getInputStream()).readFully(header);
      return header[0] == V4_RESPONSE && header[4] == OPCODE_SUPPORTED;
    } catch (IOException e) {
      return false;
    }
  }
}
