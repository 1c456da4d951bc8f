package io.autoglm.monitor.tools.backtest;

import io.autoglm.monitor.protocols.document.DocumentException;
import io.autoglm.monitor.protocols.document.LocatedDocument;
import io.autoglm.monitor.protocols.rule.RulesDocument;
import io.autoglm.monitor.protocols.rule.ThresholdRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A file of rules, YAML or JSON, as {@link RulesDocument} reads it (the format of {@code ./autoglm
 * rules apply}): {@code rules:} a list of rules as {@code PUT /api/v1/rules/{id}} takes them, each
 * with its {@code id}, and/or the article's {@code alert_rules}. Every rule is validated as the API
 * validates it; an error names the file, the line and the field ({@code rules.yaml:7:
 * rules[2].threshold: must be a number}).
 *
 * <pre>{@code
 * rules:
 *   - id: chat-errors
 *     kind: baseline
 *     metric: error_rate
 *     method: mad
 *     endpoint: /v1/chat/*
 *   - id: auto
 *     kind: auto
 * }</pre>
 */
public final class RulesFile {
  /** The largest rules file read. */
  public static final long MAX_BYTES = 4L << 20;

  /** The most rules a file holds. */
  static final int MAX_RULES = RulesDocument.MAX_RULES;

  private RulesFile() {}

  /** A rules file that is not valid: the message names the file, the line and the field. */
  public static final class InvalidRulesException extends Exception {
    InvalidRulesException(String message) {
      super(message);
    }
  }

  public static List<ThresholdRule> read(Path file) throws IOException, InvalidRulesException {
    try {
      return RulesDocument.parse(
              file.toString(),
              bytes(file),
              LocatedDocument.Format.ofFileName(file.getFileName().toString()),
              MAX_RULES)
          .rules();
    } catch (DocumentException e) {
      throw new InvalidRulesException(e.getMessage());
    }
  }

  /** The file's bytes, if it is at most {@link #MAX_BYTES}. */
  public static byte[] bytes(Path file) throws DocumentException {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new DocumentException(
            file.toString(), 0, "$", "larger than " + (MAX_BYTES >> 20) + " MB");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DocumentException(file.toString(), 0, "$", "cannot be read: " + e);
    }
  }
}
