package io.autoglm.monitor.node.ingest;

/**
 * The answer (400) of {@code POST /api/v1/ingest} for a body with an invalid capture line: the body
 * is refused whole, and this names the first bad line.
 *
 * @param line its number in the body, from 1 (blank lines count)
 * @param field the offending field; null (written) when the line is not a JSON object at all
 * @param reason what is wrong with it
 */
public record RecordErrorBody(String error, long line, String field, String reason) {}
