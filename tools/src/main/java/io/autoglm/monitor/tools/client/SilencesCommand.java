package io.autoglm.monitor.tools.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandGroup;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.notifier.route.Matcher;
import io.autoglm.monitor.protocols.rule.RuleCodec;
import io.autoglm.monitor.tools.api.ClientCommand;
import io.autoglm.monitor.tools.api.NodeApi;
import io.autoglm.monitor.tools.api.Table;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autoglm silences list | create | delete ID}: mute alerts by their labels for a while. */
@Command(
    name = "silences",
    description = "Lists, creates and ends silences, which mute matching alerts for a while.")
public final class SilencesCommand extends CommandGroup {
  /** The longest silence the node takes (SilenceCodec: under 366 days). */
  static final long MAX_DURATION_MS = 365L * 86_400_000;

  private SilencesCommand() {}

  public static CommandLine commandLine(ConsoleStreams io) {
    return new CommandLine(new SilencesCommand())
        .addSubcommand(new ListSilences(io))
        .addSubcommand(new Create(io))
        .addSubcommand(new Delete(io));
  }

  /** {@code silences list}. */
  @Command(
      name = "list",
      description = {
        "Lists the silences: pending, active, and expired in the last week.",
        "Lists the silences (GET /api/v1/silences), latest end first, with their state: pending,"
            + " active, or expired (kept for a week)."
      })
  static final class ListSilences extends ClientCommand {
    ListSilences(ConsoleStreams io) {
      super(io);
    }

    @Override
    protected int run(NodeApi api) throws IOException {
      NodeApi.Response r = api.get("/api/v1/silences").check();
      if (json) {
        io.out().println(r.body());
        return CommandLines.EXIT_OK;
      }
      JsonNode list = r.json();
      if (!list.isArray() || list.isEmpty()) {
        io.out().println("no silences");
        return CommandLines.EXIT_OK;
      }
      Table t = new Table("ID", "STATE", "MATCHERS", "STARTS", "ENDS", "CREATED BY", "COMMENT");
      for (JsonNode s : list) {
        t.row(
            s.path("id").asText(),
            s.path("status").path("state").asText(),
            matchers(s.path("matchers")),
            JsonText.time(s.path("startsAt")),
            JsonText.time(s.path("endsAt")),
            s.path("createdBy").asText(""),
            s.path("comment").asText(""));
      }
      t.print(io.out());
      return CommandLines.EXIT_OK;
    }
  }

  /** {@code silences create}. */
  @Command(
      name = "create",
      description = {
        "Creates a silence: alerts whose labels match are muted until it ends.",
        "Creates a silence (POST /api/v1/silences) from now for --duration: alerts whose labels"
            + " match every --matcher still reach the feed and the audit, but no receiver."
            + " Labels: alertname (the rule's id), severity, service, endpoint, metric, src_ip"
            + " (rules on source IPs) and the rule's own labels."
      })
  static final class Create extends ClientCommand {
    @Option(
        names = "--matcher",
        paramLabel = "NAME=VALUE",
        required = true,
        description = {
          "what the alerts' labels must match (repeat for more): NAME=VALUE, NAME!=VALUE,"
              + " NAME=~REGEX or NAME!~REGEX, e.g. --matcher severity=critical"
        })
    List<String> matchers = new ArrayList<>();

    @Option(
        names = "--duration",
        paramLabel = "D",
        description = "how long it lasts from now, e.g. 30m, 2h, 1d (default: ${DEFAULT-VALUE})")
    String duration = "1h";

    @Option(names = "--comment", paramLabel = "TEXT", description = "why (shown with it)")
    String comment = "";

    @Option(names = "--created-by", paramLabel = "NAME", description = "who (default: $USER)")
    String createdBy;

    Create(ConsoleStreams io) {
      super(io);
    }

    /** A silence as the node reads it (Alertmanager's form). */
    record NewSilence(
        List<WrittenMatcher> matchers,
        Instant startsAt,
        Instant endsAt,
        String createdBy,
        String comment) {}

    record WrittenMatcher(String name, String value, boolean isRegex, boolean isEqual) {}

    @Override
    protected int run(NodeApi api) throws IOException {
      List<WrittenMatcher> written = new ArrayList<>();
      for (String m : matchers) {
        Matcher parsed;
        try {
          parsed = Matcher.parse(m);
        } catch (IllegalArgumentException e) {
          throw OptionChecks.usageError(spec, "option --matcher: " + e.getMessage());
        }
        written.add(
            new WrittenMatcher(
                parsed.name(),
                parsed.value(),
                parsed.op() == Matcher.Op.RE || parsed.op() == Matcher.Op.NOT_RE,
                parsed.op() == Matcher.Op.EQ || parsed.op() == Matcher.Op.RE));
      }
      long ms;
      try {
        ms = RuleCodec.parseDuration(duration);
      } catch (IllegalArgumentException e) {
        throw OptionChecks.usageError(spec, "option --duration: " + e.getMessage());
      }
      if (ms < 1000 || ms > MAX_DURATION_MS) {
        throw OptionChecks.usageError(
            spec, "option --duration must be between 1s and 365d, got " + duration);
      }
      Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      Instant end = start.plus(Duration.ofMillis(ms));
      String who = createdBy != null ? createdBy : io.env("USER");
      NodeApi.Response r =
          api.postJson(
                  "/api/v1/silences",
                  new NewSilence(written, start, end, who == null ? "" : who, comment))
              .check();
      if (json) {
        io.out().println(r.body());
      } else {
        io.out()
            .println(
                "created silence "
                    + r.json().path("silenceID").asText()
                    + " ("
                    + String.join(", ", matchers)
                    + ") until "
                    + end);
      }
      return CommandLines.EXIT_OK;
    }
  }

  /** {@code silences delete ID}. */
  @Command(
      name = "delete",
      description = {
        "Ends a silence now (one not started yet is removed).",
        "Ends a silence now (DELETE /api/v1/silences/ID): matching alerts reach their receivers"
            + " again. One not started yet is removed."
      })
  static final class Delete extends ClientCommand {
    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "the silence's id (see silences list)")
    String id;

    Delete(ConsoleStreams io) {
      super(io);
    }

    @Override
    protected int run(NodeApi api) throws IOException {
      NodeApi.Response r = api.delete("/api/v1/silences/" + NodeApi.segment(id)).check();
      if (json) {
        if (!r.body().isBlank()) {
          io.out().println(r.body());
        }
      } else {
        io.out().println("silence " + id + " ended");
      }
      return CommandLines.EXIT_OK;
    }
  }

  static String matchers(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode m : list) {
      if (m.isTextual()) {
        out.add(m.asText());
        continue;
      }
      boolean regex = m.path("isRegex").asBoolean();
      boolean equal = m.path("isEqual").asBoolean(true);
      out.add(
          m.path("name").asText()
              + (regex ? (equal ? "=~" : "!~") : (equal ? "=" : "!="))
              + m.path("value").asText());
    }
    return String.join(", ", out);
  }
}
