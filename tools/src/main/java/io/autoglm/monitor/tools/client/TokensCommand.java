package io.autoglm.monitor.tools.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandGroup;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.tools.api.ClientCommand;
import io.autoglm.monitor.tools.api.NodeApi;
import io.autoglm.monitor.tools.api.Table;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code autoglm tokens list | create | revoke ID}: the API's tokens (an admin token is needed).
 */
@Command(
    name = "tokens",
    description = "Lists, creates and revokes API tokens (needs an admin token).")
public final class TokensCommand extends CommandGroup {

  private TokensCommand() {}

  public static CommandLine commandLine(ConsoleStreams io) {
    return new CommandLine(new TokensCommand())
        .addSubcommand(new ListTokens(io))
        .addSubcommand(new Create(io))
        .addSubcommand(new Revoke(io));
  }

  /** The roles a token may have. */
  enum Role {
    VIEWER,
    EDITOR,
    ADMIN,
    AGENT;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code tokens list}. */
  @Command(
      name = "list",
      description = {
        "Lists the API tokens, never their secrets.",
        "Lists the API tokens (GET /api/v1/tokens): id, name, role and what the node keeps about"
            + " them; never their secrets."
      })
  static final class ListTokens extends ClientCommand {
    ListTokens(ConsoleStreams io) {
      super(io);
    }

    @Override
    protected int run(NodeApi api) throws IOException {
      NodeApi.Response r = api.get("/api/v1/tokens").check();
      if (json) {
        io.out().println(r.body());
        return CommandLines.EXIT_OK;
      }
      JsonNode body = r.json();
      JsonNode list = body.isArray() ? body : body.path("tokens");
      if (!list.isArray() || list.isEmpty()) {
        io.out().println("no tokens");
        return CommandLines.EXIT_OK;
      }
      // id, name and role first, then whatever else the node tells about a token
      Set<String> columns = new LinkedHashSet<>(List.of("id", "name", "role"));
      for (JsonNode t : list) {
        for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          if (f.getValue().isValueNode() && !f.getKey().equals("token")) {
            columns.add(f.getKey());
          }
        }
      }
      Table table =
          new Table(
              columns.stream()
                  .map(c -> c.replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT))
                  .toArray(String[]::new));
      for (JsonNode t : list) {
        List<Object> cells = new ArrayList<>();
        for (String c : columns) {
          JsonNode v = t.get(c);
          cells.add(
              v == null || v.isNull()
                  ? null
                  : JsonText.time(v).equals("-") ? v.asText() : JsonText.time(v));
        }
        table.row(cells.toArray());
      }
      table.print(io.out());
      return CommandLines.EXIT_OK;
    }
  }

  /** {@code tokens create}. */
  @Command(
      name = "create",
      description = {
        "Creates a token and prints its secret, once.",
        "Creates a token (POST /api/v1/tokens). Its secret is printed once, alone on stdout (or"
            + " written to --secret-file), and the node keeps only its hash: store it now. Roles:"
            + " viewer reads, editor also changes rules, silences and receivers, admin also"
            + " manages tokens and the cluster, agent may only ingest."
      })
  static final class Create extends ClientCommand {
    @Option(
        names = "--name",
        paramLabel = "NAME",
        required = true,
        description = "what the token is for, e.g. gw-1 or grafana")
    String name;

    @Option(
        names = "--role",
        paramLabel = "ROLE",
        required = true,
        description = "viewer, editor, admin or agent")
    Role role;

    @Option(
        names = "--secret-file",
        paramLabel = "FILE",
        description =
            "write the secret to FILE (a new file, readable by its owner only) instead of stdout;"
                + " the agent reads it with --token-file FILE")
    Path secretFile;

    Create(ConsoleStreams io) {
      super(io);
    }

    record NewToken(String name, String role) {}

    @Override
    protected int run(NodeApi api) throws IOException {
      if (name.isBlank()) {
        throw OptionChecks.usageError(spec, "option --name: the name is empty");
      }
      if (secretFile != null && Files.exists(secretFile)) {
        throw OptionChecks.usageError(
            spec, "option --secret-file: " + secretFile + " exists; the command writes a new file");
      }
      NodeApi.Response r =
          api.postJson("/api/v1/tokens", new NewToken(name.trim(), role.label())).check();
      JsonNode created = r.json();
      String secret = created.path("token").asText("");
      if (secretFile != null) {
        write(secretFile, secret + "\n");
      }
      if (json) {
        io.out().println(r.body());
      } else {
        io.err()
            .println(
                "created token "
                    + created.path("id").asText()
                    + " ("
                    + created.path("name").asText()
                    + ", role "
                    + created.path("role").asText()
                    + "); "
                    + (secretFile != null
                        ? "its secret is in " + secretFile
                        : "its secret, shown only this once:"));
        if (secretFile == null) {
          io.out().println(secret);
        }
      }
      return CommandLines.EXIT_OK;
    }

    private static void write(Path file, String text) throws IOException {
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException e) {
        throw new IOException(file + " appeared while the token was created; not overwritten");
      }
      try (Writer w =
          Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
        w.write(text);
      }
    }
  }

  /** {@code tokens revoke ID}. */
  @Command(
      name = "revoke",
      description = {
        "Revokes a token: the node refuses it from now on.",
        "Revokes a token (DELETE /api/v1/tokens/ID): every request with it is refused with 401"
            + " from now on; an agent using it stops at its next connection."
      })
  static final class Revoke extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the token's id (see tokens list)")
    String id;

    Revoke(ConsoleStreams io) {
      super(io);
    }

    @Override
    protected int run(NodeApi api) throws IOException {
      NodeApi.Response r = api.delete("/api/v1/tokens/" + NodeApi.segment(id)).check();
      if (json) {
        if (!r.body().isBlank()) {
          io.out().println(r.body());
        }
      } else {
        io.out().println("token " + id + " revoked");
      }
      return CommandLines.EXIT_OK;
    }
  }
}
