package io.autoglm.monitor.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoglm.monitor.protocols.capture.CaptureRecord;
import io.autoglm.monitor.protocols.wire.IngestAck;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent reads the node's ingest answer with the record both sides share. */
class IngestResponseTest {

  @Test
  void theClientReadsAnAckInAnyKeyOrderIgnoringKeysItDoesNotKnow() throws Exception {
    String answer =
        "{\"endpoints\":1,\"future\":0,\"added-by-a-newer-node\":{\"x\":[1,2]},\"duplicates\":1,"
            + "\"late\":0,\"accepted\":1,\"received\":2}";
    try (RecordingNode node = new RecordingNode().answering(200, answer)) {
      IngestResponse response =
          new HttpIngestClient(node.baseUri(), Duration.ofSeconds(10), false)
              .post(
                  List.of(
                      CaptureRecord.of(1767225600000L, "/v1/chat/completions", 200, 8, "10.0.0.1"),
                      CaptureRecord.of(
                          1767225600001L, "/v1/chat/completions", 200, 9, "10.0.0.2")));
      assertEquals(Optional.of(new IngestAck(2, 1, 0, 1, 0, 0, 0, 1)), response.ack());
    }
  }

  @Test
  void anExpiredCountIsReadWhenTheNodeSendsOne() {
    assertEquals(
        Optional.of(new IngestAck(3, 0, 0, 0, 0, 3, 0, 1)),
        new IngestResponse(
                200,
                "{\"received\":3,\"accepted\":0,\"late\":0,\"duplicates\":0,\"future\":0,"
                    + "\"expired\":3,\"endpoints\":1}")
            .ack());
  }

  @Test
  void anErrorAnswerHasNoAckAndA2xxThatIsNotJsonIsAClearError() {
    assertTrue(
        new IngestResponse(400, "{\"error\":\"invalid capture record: ...\"}").ack().isEmpty());
    assertThrows(UncheckedIOException.class, () -> new IngestResponse(200, "OK").ack());
  }
}
