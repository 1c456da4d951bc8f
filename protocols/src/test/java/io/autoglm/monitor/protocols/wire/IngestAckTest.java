package io.autoglm.monitor.protocols.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.autoglm.monitor.protocols.json.Json;
import org.junit.jupiter.api.Test;

class IngestAckTest {

  @Test
  void isTheDocumentedJsonAndReadsBackEqual() throws Exception {
    IngestAck ack = new IngestAck(10, 7, 1, 2, 0, 0, 0, 3);
    assertEquals(
        "{\"received\":10,\"accepted\":7,\"late\":1,\"duplicates\":2,\"future\":0,\"endpoints\":3}",
        Json.toJson(ack),
        "expired and folded are left out while 0");
    assertEquals(ack, Json.readerFor(IngestAck.class).readValue(Json.toBytes(ack)));

    IngestAck expired = new IngestAck(10, 0, 0, 0, 0, 10, 0, 1);
    assertEquals(
        "{\"received\":10,\"accepted\":0,\"late\":0,\"duplicates\":0,\"future\":0,\"expired\":10,"
            + "\"endpoints\":1}",
        Json.toJson(expired));
    assertEquals(expired, Json.readerFor(IngestAck.class).readValue(Json.toJson(expired)));

    IngestAck folded = new IngestAck(10, 10, 0, 0, 0, 0, 4, 2);
    assertEquals(
        "{\"received\":10,\"accepted\":10,\"late\":0,\"duplicates\":0,\"future\":0,\"folded\":4,"
            + "\"endpoints\":2}",
        Json.toJson(folded));
    assertEquals(folded, Json.readerFor(IngestAck.class).readValue(Json.toJson(folded)));
  }

  @Test
  void readingDoesNotDependOnKeyOrderAndToleratesFieldsItDoesNotKnow() throws Exception {
    assertEquals(
        new IngestAck(5, 4, 0, 1, 0, 0, 0, 2),
        Json.readerFor(IngestAck.class)
            .readValue(
                "{\"endpoints\":2,\"duplicates\":1,\"added-by-a-newer-node\":[1,2],"
                    + "\"accepted\":4,\"received\":5,\"late\":0,\"future\":0}"));
  }
}
