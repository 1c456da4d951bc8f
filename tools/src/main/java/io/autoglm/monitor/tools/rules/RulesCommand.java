package io.autoglm.monitor.tools.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandGroup;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.HelpOption;
import io.autoglm.monitor.protocols.document.DocumentException;
import io.autoglm.monitor.protocols.document.LocatedDocument;
import io.autoglm.monitor.protocols.rule.RulesDocument;
import io.autoglm.monitor.tools.api.ClientCommand;
import io.autoglm.monitor.tools.api.NodeApi;
import io.autoglm.monitor.tools.api.NodeOptions;
import io.autoglm.monitor.tools.backtest.RulesFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rules list | apply -f FILE [--dry-run] | delete ID}: a node's rule book, through its API
 * ({@link NodeApi}, with the {@link NodeOptions} of every client command). {@code apply} replaces
 * the whole rule set with the file's ({@code PUT /api/v1/rules}) and prints what changed. A node
 * that cannot be reached is an error naming the request ({@code error: PUT URL: why}), a refusal
 * {@code error: node answered STATUS: <the node's error>}, both status 1.
 */
@Command(
    name = "rules",
    description = "Lists, applies (from a YAML or JSON file) and deletes a cluster's rules.")
public final class RulesCommand extends CommandGroup {

  private RulesCommand() {}

  /** The group with its subcommands. */
  public static CommandLine commandLine(ConsoleStreams io) {
    return new CommandLine(new RulesCommand())
        .addSubcommand(new Apply(io))
        .addSubcommand(new ListRules(io))
        .addSubcommand(new Delete(io));
  }

  /** {@code rules apply -f FILE [--dry-run]}. */
  @Command(
      name = "apply",
      description = {
        "Makes the cluster's rules those of a file, printing the difference.",
        "Reads a rules file (YAML, or JSON for *.json): a list under 'rules' (every kind), the"
            + " article's 'alert_rules' with 'metrics', or a whole configuration file (its node"
            + " sections are not applied here). The cluster's rule set becomes exactly the"
            + " file's: rules not in the file are removed. Prints each rule added (+), changed"
            + " (~, with its fields) and removed (-)."
      },
      exitCodeListHeading = "%nexit status:%n",
      exitCodeList = {
        "0:applied (or, with --dry-run, the difference printed)",
        "1:the node could not be reached or refused",
        "2:bad options or an invalid file"
      })
  static final class Apply implements Callable<Integer> {
    @Mixin HelpOption help;

    @Spec CommandSpec spec;

    @Mixin NodeOptions node;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        required = true,
        description = "the rules file")
    Path file;

    @Option(names = "--dry-run", description = "print the difference, change nothing")
    boolean dryRun;

    private final ConsoleStreams io;

    Apply(ConsoleStreams io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      LocatedDocument.Format format =
          LocatedDocument.Format.ofFileName(file.getFileName().toString());
      byte[] bytes;
      try {
        bytes = RulesFile.bytes(file);
        // checked here first, before the node is named, so that an error names the file as the
        // user knows it
        RulesDocument.parse(file.toString(), bytes, format, RulesDocument.MAX_RULES);
      } catch (DocumentException e) {
        io.err().println("error: " + e.getMessage());
        return CommandLines.EXIT_USAGE;
      }
      return ClientCommand.execute(
          spec, io, node, api -> namingTheRequest(() -> apply(api, bytes, format)));
    }

    private int apply(NodeApi api, byte[] bytes, LocatedDocument.Format format) throws IOException {
      NodeApi.Response r =
          api.put(
              "/api/v1/rules" + (dryRun ? "?dry_run=true" : ""),
              format == LocatedDocument.Format.JSON ? "application/json" : "application/yaml",
              bytes);
      if (r.status() == 400) {
        JsonNode e = r.json();
        if (e.hasNonNull("field") && e.hasNonNull("reason")) {
          int line = e.path("line").asInt(0);
          io.err()
              .println(
                  "error: "
                      + file
                      + (line > 0 ? ":" + line : "")
                      + ": "
                      + e.get("field").asText()
                      + ": "
                      + e.get("reason").asText());
          return CommandLines.EXIT_USAGE;
        }
      }
      printDiff(r.expect(200), io.out());
      return CommandLines.EXIT_OK;
    }
  }

  /** Prints {@code PUT /api/v1/rules}' answer. */
  static void printDiff(JsonNode diff, PrintStream out) {
    for (JsonNode a : diff.path("added")) {
      out.println("+ " + a.get("id").asText() + "  " + a.path("expression").asText());
    }
    for (JsonNode c : diff.path("changed")) {
      out.println("~ " + c.get("id").asText());
      for (Iterator<Map.Entry<String, JsonNode>> it = c.path("fields").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        out.println(
            "    "
                + f.getKey()
                + ": "
                + value(f.getValue().get("from"))
                + " -> "
                + value(f.getValue().get("to")));
      }
    }
    for (JsonNode id : diff.path("removed")) {
      out.println("- " + id.asText());
    }
    boolean dry = diff.path("dry_run").asBoolean();
    out.println(
        diff.path("added").size()
            + " added, "
            + diff.path("changed").size()
            + " changed, "
            + diff.path("removed").size()
            + " removed, "
            + diff.path("unchanged").asInt()
            + " unchanged"
            + (dry ? " (dry run: nothing applied)" : ""));
    if (diff.path("ignored").size() > 0) {
      StringBuilder s = new StringBuilder();
      diff.path("ignored").forEach(n -> s.append(s.length() == 0 ? "" : ", ").append(n.asText()));
      out.println("not applied here (node configuration, read at start): " + s);
    }
  }

  /** A subcommand's requests. */
  private interface Requests {
    int run() throws IOException;
  }

  /** Runs {@code requests}, a node that cannot be reached named by the request that failed. */
  private static int namingTheRequest(Requests requests) throws IOException {
    try {
      return requests.run();
    } catch (NodeApi.UnreachableException e) {
      throw new IOException(e.request() + ": " + e.reason(), e);
    }
  }

  private static String value(JsonNode n) {
    return n == null || n.isNull() ? "(unset)" : n.isTextual() ? n.asText() : n.toString();
  }

  /** {@code rules list}. */
  @Command(name = "list", description = "Lists the cluster's rules.")
  static final class ListRules implements Callable<Integer> {
    @Mixin HelpOption help;

    @Spec CommandSpec spec;

    @Mixin NodeOptions node;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    private final ConsoleStreams io;

    ListRules(ConsoleStreams io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      return ClientCommand.execute(spec, io, node, api -> namingTheRequest(() -> run(api)));
    }

    private int run(NodeApi api) throws IOException {
      JsonNode list = api.get("/api/v1/rules").expect(200);
      if (json) {
        io.out().println(list.toPrettyString());
        return CommandLines.EXIT_OK;
      }
      int width = 2;
      for (JsonNode r : list.path("rules")) {
        width = Math.max(width, r.get("id").asText().length());
      }
      for (JsonNode r : list.path("rules")) {
        String where =
            r.hasNonNull("endpoint")
                ? r.get("endpoint").asText()
                : "ip " + r.path("ip").asText("*");
        io.out()
            .printf(
                "%-" + width + "s  %-9s  %-8s  %-20s  %s%n",
                r.get("id").asText(),
                r.path("kind").asText(),
                r.path("severity").asText(),
                where,
                r.path("expression").asText());
      }
      io.out().println(list.path("rules").size() + " rule(s), version " + list.path("version"));
      return CommandLines.EXIT_OK;
    }
  }

  /** {@code rules delete ID}. */
  @Command(
      name = "delete",
      description = "Deletes one rule of the cluster, by its id.",
      exitCodeListHeading = "%nexit status:%n",
      exitCodeList = {"0:deleted", "1:no such rule, or the node refused"})
  static final class Delete implements Callable<Integer> {
    @Mixin HelpOption help;

    @Spec CommandSpec spec;

    @Mixin NodeOptions node;

    @Parameters(paramLabel = "ID", description = "the rule's id")
    String id;

    private final ConsoleStreams io;

    Delete(ConsoleStreams io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      return ClientCommand.execute(spec, io, node, api -> namingTheRequest(() -> run(api)));
    }

    private int run(NodeApi api) throws IOException {
      NodeApi.Response r = api.delete("/api/v1/rules/" + NodeApi.segment(id));
      if (r.status() == 404) {
        io.err().println("error: " + r.error());
        return CommandLines.EXIT_FAILURE;
      }
      r.expect(204);
      io.out().println("deleted " + id);
      return CommandLines.EXIT_OK;
    }
  }
}
