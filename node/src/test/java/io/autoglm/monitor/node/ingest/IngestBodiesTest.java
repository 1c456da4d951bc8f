package io.autoglm.monitor.node.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.autoglm.monitor.protocols.json.Json;
import io.autoglm.monitor.protocols.wire.IngestAck;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The answers of {@code POST /api/v1/ingest}: the JSON they are on the wire, and a round trip
 * through the shared mapper.
 */
class IngestBodiesTest {

  static <T> void assertWire(String json, T body) throws Exception {
    String written = Json.toJson(body);
    assertEquals(Json.mapper().readTree(json), Json.mapper().readTree(written), written);
    assertEquals(body, Json.readerFor(body.getClass()).readValue(written), "round trip");
  }

  @Test
  void theAckIsTheTotals() throws Exception {
    EntityWriter.Totals totals = new EntityWriter.Totals(12, 9, 1, 2, 0, 0, 0, 2);
    assertWire(
        "{\"received\":12,\"accepted\":9,\"late\":1,\"duplicates\":2,\"future\":0,\"endpoints\":2}",
        totals.ack());
    assertEquals(new IngestAck(12, 9, 1, 2, 0, 0, 0, 2), totals.ack());
  }

  @Test
  void anInvalidLineNamesLineFieldAndReasonAndAnUnknownFieldIsNull() throws Exception {
    assertWire(
        "{\"error\":\"invalid capture record: line 5: field 'status': must be an integer\","
            + "\"line\":5,\"field\":\"status\",\"reason\":\"must be an integer\"}",
        new RecordErrorBody(
            "invalid capture record: line 5: field 'status': must be an integer",
            5,
            "status",
            "must be an integer"));
    assertWire(
        "{\"error\":\"invalid capture record: line 1: not JSON\",\"line\":1,\"field\":null,"
            + "\"reason\":\"not JSON\"}",
        new RecordErrorBody("invalid capture record: line 1: not JSON", 1, null, "not JSON"));
  }

  @Test
  void anIncompleteIngestSaysWhatCountedWhatMayNotAndHowToRetry() throws Exception {
    IngestIncomplete body =
        new IngestIncomplete(
            "the records of 1 endpoint(s) were not confirmed persisted in time; they may or may not"
                + " be counted",
            new IngestIncomplete.Counted(30, 0, 0, 0, 0, List.of("default/v1/fast")),
            new IngestIncomplete.Unconfirmed(20, List.of("default/v1/slow"), "Ask timed out"),
            "send the same body again with the headers in 'retryWith'",
            new IngestIncomplete.RetryWith("~http.n1-25520", "1764640000000123", "0"));
    assertWire(
        "{\"error\":\"the records of 1 endpoint(s) were not confirmed persisted in time; they may"
            + " or may not be counted\","
            + "\"counted\":{\"accepted\":30,\"late\":0,\"duplicates\":0,\"future\":0,"
            + "\"endpoints\":[\"default/v1/fast\"]},"
            + "\"unconfirmed\":{\"records\":20,\"endpoints\":[\"default/v1/slow\"],"
            + "\"reason\":\"Ask timed out\"},"
            + "\"retry\":\"send the same body again with the headers in 'retryWith'\","
            + "\"retryWith\":{\"X-Agent-Id\":\"~http.n1-25520\",\"X-Agent-Epoch\":\"1764640000000123\","
            + "\"X-Agent-Seq\":\"0\"}}",
        body);
    assertEquals(
        7,
        Json.mapper()
            .valueToTree(new IngestIncomplete.Counted(0, 0, 0, 0, 7, List.of()))
            .get("expired")
            .asLong(),
        "expired is on the wire when not 0");
  }
}
