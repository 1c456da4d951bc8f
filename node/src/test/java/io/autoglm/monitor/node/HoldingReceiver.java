package io.autoglm.monitor.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A webhook receiver on loopback that can hold requests unanswered (a node is then in the middle of
 * sending them) until {@link #release()}: the crash tests kill a node while it waits. Every request
 * is noted as it arrives; {@code onAnswered} hears of those answered 200.
 */
final class HoldingReceiver implements AutoCloseable {
  /** A request as it arrived: its JSON body and its {@code X-AutoGLM-Delivery-Id}. */
  record Request(JsonNode body, String deliveryId) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final CountDownLatch release = new CountDownLatch(1);

  /**
   * @param hold whether a request (by its body) is held until {@link #release()}
   */
  HoldingReceiver(Predicate<JsonNode> hold, Consumer<JsonNode> onAnswered) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads); // a held request must not hold the others
    server.createContext(
        "/hook",
        ex -> {
          JsonNode body = TestHttp.MAPPER.readTree(ex.getRequestBody().readAllBytes());
          requests.add(new Request(body, ex.getRequestHeaders().getFirst("X-AutoGLM-Delivery-Id")));
          if (hold.test(body)) {
            try {
              release.await(2, TimeUnit.MINUTES); // mid-send: no answer
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
          onAnswered.accept(body);
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** The next request that arrived, or null after {@code timeout}. */
  Request next(Duration timeout) throws InterruptedException {
    return requests.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Answers the held requests, and every later one at once. */
  void release() {
    release.countDown();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    threads.shutdownNow();
  }
}
