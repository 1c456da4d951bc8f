package io.autoglm.monitor.protocols.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class StreamReplyTest {

  @Test
  void anAckIsTheDocumentedJsonAndReadsBackEqual() {
    StreamReply.Ack ack =
        new StreamReply.Ack(7, 100, 2, 3, 1, 4, "batch 7, line 2: field 'status': ...", 0);
    assertEquals(
        "{\"type\":\"ack\",\"seq\":7,\"accepted\":100,\"late\":2,\"duplicates\":3,\"future\":1,\"rejected\":4,"
            + "\"firstError\":\"batch 7, line 2: field 'status': ...\"}",
        ack.toJson());
    assertEquals(ack, StreamReply.parse(ack.toJson()));
    assertEquals(
        "{\"type\":\"ack\",\"seq\":1,\"accepted\":5,\"late\":0,\"duplicates\":0,\"future\":0,\"rejected\":0}",
        new StreamReply.Ack(1, 5, 0, 0, 0, 0, null, 0).toJson(),
        "no firstError without a rejected line");
  }

  @Test
  void readingDoesNotDependOnKeyOrderAndToleratesFieldsItDoesNotKnow() {
    assertEquals(
        new StreamReply.Ack(9, 1, 0, 0, 0, 0, null, 0),
        StreamReply.parse(
            "{\"accepted\":1,\"seq\":9,\"type\":\"ack\",\"late\":0,\"duplicates\":0,\"future\":0,\"rejected\":0}"));
    assertEquals(
        new StreamReply.Error("seq", "seq went backwards"),
        StreamReply.parse(
            "{\"error\":\"seq went backwards\",\"type\":\"error\",\"code\":\"seq\"}"));
    assertEquals(
        new StreamReply.Ack(2, 1, 0, 0, 0, 0, null, 0),
        StreamReply.parse(
            "{\"type\":\"ack\",\"seq\":2,\"accepted\":1,\"added-by-a-newer-node\":5}"),
        "a newer node's ack reads");
  }

  @Test
  void somethingElseIsAClearError() {
    assertThrows(UncheckedIOException.class, () -> StreamReply.parse("{\"type\":\"hello\"}"));
    assertThrows(UncheckedIOException.class, () -> StreamReply.parse("not json"));
  }
}
