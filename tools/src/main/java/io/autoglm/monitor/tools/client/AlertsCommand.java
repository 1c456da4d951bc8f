package io.autoglm.monitor.tools.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.agent.cli.CommandGroup;
import io.autoglm.monitor.agent.cli.CommandLines;
import io.autoglm.monitor.agent.cli.ConsoleStreams;
import io.autoglm.monitor.agent.cli.OptionChecks;
import io.autoglm.monitor.protocols.wire.WholeMessages;
import io.autoglm.monitor.tools.api.ClientCommand;
import io.autoglm.monitor.tools.api.NodeApi;
import io.autoglm.monitor.tools.api.Table;
import java.io.IOException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autoglm alerts list | tail | ack FINGERPRINT}: the alerts of a running cluster. */
@Command(
    name = "alerts",
    description = "Lists, follows and acknowledges the alerts of a running cluster.")
public final class AlertsCommand extends CommandGroup {

  private AlertsCommand() {}

  public static CommandLine commandLine(ConsoleStreams io) {
    return new CommandLine(new AlertsCommand())
        .addSubcommand(new ListAlerts(io))
        .addSubcommand(new Tail(io))
        .addSubcommand(new Ack(io));
  }

  /** {@code alerts list}. */
  @Command(
      name = "list",
      description = {
        "Lists the alerts the node has seen, newest first.",
        "Lists the alerts the node has seen (GET /api/v1/alerts), newest first: firing and"
            + " resolved, with the fingerprint that 'alerts ack' takes."
      })
  static final class ListAlerts extends ClientCommand {
    @Option(names = "--firing", description = "only the alerts still firing")
    boolean firing;

    ListAlerts(ConsoleStreams io) {
      super(io);
    }

    @Override
    protected int run(NodeApi api) throws IOException {
      NodeApi.Response r = api.get("/api/v1/alerts").check();
      JsonNode alerts = r.json().path("alerts");
      List<JsonNode> shown = new ArrayList<>();
      alerts.forEach(
          a -> {
            if (!firing || "firing".equals(a.path("status").asText())) {
              shown.add(a);
            }
          });
      if (json) {
        io.out().println(firing ? JsonText.array(shown) : r.body());
        return CommandLines.EXIT_OK;
      }
      if (shown.isEmpty()) {
        io.out().println(firing ? "no firing alerts" : "no alerts");
        return CommandLines.EXIT_OK;
      }
      Table t =
          new Table(
              "FINGERPRINT", "STATUS", "SEVERITY", "RULE", "ENDPOINT", "VALUE", "SINCE", "SUMMARY");
      for (JsonNode a : shown) {
        t.row(
            a.path("fingerprint").asText(),
            status(a),
            a.path("severity").asText(),
            a.path("rule").asText(),
            endpoint(a),
            value(a),
            JsonText.time(
                a.path("firing".equals(a.path("status").asText()) ? "startsAt" : "endsAt")),
            a.path("summary").asText(""));
      }
      t.print(io.out());
      return CommandLines.EXIT_OK;
    }
  }

  /** {@code alerts tail}. */
  @Command(
      name = "tail",
      description = {
        "Follows the live alert feed, one line per alert, until Ctrl-C.",
        "Follows the node's WebSocket alert feed (GET /api/v1/alerts/feed) and prints one line"
            + " per alert as it fires or resolves anywhere in the cluster, until Ctrl-C; when the"
            + " node goes away it connects again (after 1 s, doubling up to 30 s). The filters go"
            + " to the node as query parameters."
      },
      exitCodeList = {
        "0:--limit alerts printed",
        "1:the node could not be reached at first, or refused the token",
        "2:bad arguments"
      })
  static final class Tail extends ClientCommand {
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    @Option(
        names = "--severity",
        paramLabel = "S",
        description = "only alerts of this severity (e.g. critical, warning)")
    String severity;

    @Option(names = "--endpoint", paramLabel = "E", description = "only alerts of this endpoint")
    String endpoint;

    @Option(names = "--rule", paramLabel = "ID", description = "only alerts of this rule")
    String rule;

    @Option(
        names = "--limit",
        paramLabel = "N",
        description = "stop after N alerts (default: follow until Ctrl-C)")
    Integer limit;

    Tail(ConsoleStreams io) {
      super(io);
    }

    /** What the feed's listener hands the command's thread. */
    private sealed interface Event {}

    private record Text(String text) implements Event {}

    private record Closed(String why) implements Event {}

    @Override
    protected int run(NodeApi api) throws IOException {
      if (limit != null) {
        OptionChecks.between(spec, "--limit", limit, 1, Integer.MAX_VALUE);
      }
      String path = "/api/v1/alerts/feed" + query();
      int printed = 0;
      Duration backoff = FIRST_BACKOFF;
      boolean connectedBefore = false;
      try {
        while (true) {
          BlockingQueue<Event> events = new LinkedBlockingQueue<>(10_000);
          WebSocket socket;
          try {
            socket = open(api, path, events);
          } catch (NodeApi.ApiException e) {
            throw e; // a refused token or a bad filter: trying again cannot help
          } catch (IOException e) {
            if (!connectedBefore) {
              throw e;
            }
            io.err().println(e.getMessage() + "; trying again in " + backoff.toSeconds() + " s");
            Thread.sleep(backoff.toMillis());
            backoff =
                backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                    ? MAX_BACKOFF
                    : backoff.multipliedBy(2);
            continue;
          }
          io.err()
              .println(
                  (connectedBefore
                          ? "connected again (alerts of the meantime are in 'alerts list'): "
                          : "following ")
                      + api.uri(path)
                      + " (Ctrl-C to stop)");
          connectedBefore = true;
          backoff = FIRST_BACKOFF;
          try {
            while (limit == null || printed < limit) {
              Event e = events.take();
              if (e instanceof Closed closed) {
                io.err()
                    .println("the node ended the feed (" + closed.why() + "); connecting again");
                break;
              }
              JsonNode message = JsonText.parse(((Text) e).text());
              if (!"alert".equals(message.path("type").asText())) {
                continue; // hello, heartbeats and what a newer node adds
              }
              JsonNode alert = message.path("alert");
              io.out().println(json ? alert.toString() : line(alert));
              io.out().flush();
              printed++;
            }
          } finally {
            socket.abort();
          }
          if (limit != null && printed >= limit) {
            return CommandLines.EXIT_OK;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CommandLines.EXIT_FAILURE;
      }
    }

    /** Opens the feed; its messages and its end go to {@code events}. */
    private WebSocket open(NodeApi api, String path, BlockingQueue<Event> events)
        throws IOException, InterruptedException {
      try {
        return api.openWebSocket(
                path,
                new WholeMessages(
                    new WholeMessages.Receiver() {
                      @Override
                      public void text(String message) {
                        events.offer(new Text(message));
                      }

                      @Override
                      public void closed(int statusCode, String reason) {
                        events.offer(
                            new Closed(
                                "closed " + statusCode + (reason.isEmpty() ? "" : " " + reason)));
                      }

                      @Override
                      public void failed(Throwable error) {
                        events.offer(new Closed(String.valueOf(error)));
                      }
                    }))
            .get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw api.handshakeFailure(e);
      }
    }

    private String query() {
      List<String> params = new ArrayList<>();
      if (severity != null) {
        params.add("severity=" + NodeApi.query(severity));
      }
      if (endpoint != null) {
        params.add("endpoint=" + NodeApi.query(endpoint));
      }
      if (rule != null) {
        params.add("rule=" + NodeApi.query(rule));
      }
      return params.isEmpty() ? "" : "?" + String.join("&", params);
    }
  }

  /** {@code alerts ack FINGERPRINT}. */
  @Command(
      name = "ack",
      description = {
        "Acknowledges a firing alert, which stops its escalation.",
        "Acknowledges a firing alert (POST /api/v1/alerts/FINGERPRINT/ack): its escalation stops."
            + " The fingerprint is the first column of 'alerts list'."
      })
  static final class Ack extends ClientCommand {
    @Parameters(
        index = "0",
        paramLabel = "FINGERPRINT",
        description = "the alert's fingerprint (see alerts list)")
    String fingerprint;

    Ack(ConsoleStreams io) {
      super(io);
    }

    @Override
    protected int run(NodeApi api) throws IOException {
      NodeApi.Response r =
          api.post(
                  "/api/v1/alerts/" + NodeApi.segment(fingerprint) + "/ack", "application/json", "")
              .check();
      if (json) {
        io.out().println(r.body());
      } else {
        io.out()
            .println(
                "acknowledged "
                    + fingerprint
                    + (r.json().path("escalationStopped").asBoolean()
                        ? "; its escalation stopped"
                        : ""));
      }
      return CommandLines.EXIT_OK;
    }
  }

  /** One line of {@code alerts tail}. */
  static String line(JsonNode a) {
    boolean isFiring = "firing".equals(a.path("status").asText());
    return String.join(
        "  ",
        JsonText.time(a.path(isFiring ? "startsAt" : "endsAt")),
        String.format("%-8s", status(a).toUpperCase(java.util.Locale.ROOT)),
        String.format("%-8s", a.path("severity").asText()),
        a.path("rule").asText(),
        endpoint(a),
        value(a),
        "fingerprint " + a.path("fingerprint").asText(),
        a.path("summary").asText(""));
  }

  static String status(JsonNode a) {
    String s = a.path("status").asText();
    if (a.path("flapping").asBoolean()) {
      s += " (flapping)";
    } else if (a.path("silent").asBoolean()) {
      s += " (silent)";
    }
    return s;
  }

  static String endpoint(JsonNode a) {
    String service = a.path("service").asText("");
    String e = a.path("endpoint").asText("");
    String ip = a.hasNonNull("sourceIp") ? " " + a.get("sourceIp").asText() : "";
    return (service.isEmpty() || service.equals("default") ? e : service + e) + ip;
  }

  static String value(JsonNode a) {
    return a.path("metric").asText()
        + " "
        + JsonText.number(a.path("value").asDouble())
        + " "
        + a.path("comparison").asText()
        + " "
        + JsonText.number(a.path("threshold").asDouble());
  }
}
