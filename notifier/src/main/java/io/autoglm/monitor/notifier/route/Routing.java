package io.autoglm.monitor.notifier.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.notifier.channel.WebhookSettings;
import io.autoglm.monitor.notifier.net.UrlGuard;
import io.autoglm.monitor.notifier.receiver.Receiver;
import io.autoglm.monitor.notifier.receiver.ReceiverCodec;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.json.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The receivers and the routing tree a node's notifier sends by, from its configuration: {@code
 * autoglm.notifier.receivers} (a list of receivers, each as {@link ReceiverCodec} reads it: the
 * article's {@code alert_channels} as given) and {@code autoglm.notifier.route} (the tree, as
 * {@link RouteCodec} reads it). A mistake stops the node from starting, naming the key.
 */
public record Routing(Route route, Map<String, Receiver> receivers) {

  public Routing {
    receivers = Map.copyOf(receivers);
  }

  /** The configured routing; empty when no receivers are configured. */
  public static Optional<Routing> fromConfig(Config root, UrlGuard guard) {
    Config n = root.getConfig("autoglm.notifier");
    if (!n.hasPath("receivers") || n.getList("receivers").isEmpty()) {
      return Optional.empty();
    }
    JsonNode list = json(n.getValue("receivers").render(ConfigRenderOptions.concise()));
    Map<String, Receiver> receivers = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String key = "autoglm.notifier.receivers[" + i + "]";
      Receiver r;
      try {
        r = ReceiverCodec.parse(list.get(i), guard);
      } catch (InvalidFieldException e) {
        throw new IllegalArgumentException(key + "." + e.getMessage(), e);
      }
      if (receivers.put(r.name(), r) != null) {
        throw new IllegalArgumentException(key + ".name: " + r.name() + " is named twice");
      }
    }
    if (!n.hasPath("route")) {
      throw new IllegalArgumentException(
          "autoglm.notifier.route: receivers are configured but no route sends to them");
    }
    try {
      Route route =
          RouteCodec.parse(
              json(n.getValue("route").render(ConfigRenderOptions.concise())), receivers.keySet());
      return Optional.of(new Routing(route, receivers));
    } catch (InvalidFieldException e) {
      throw new IllegalArgumentException("autoglm.notifier." + e.getMessage(), e);
    }
  }

  /**
   * The configured route tree as JSON ({@code autoglm.notifier.route}), when receivers are
   * configured; empty otherwise.
   */
  public static Optional<JsonNode> routeJson(Config root) {
    Config n = root.getConfig("autoglm.notifier");
    if (!n.hasPath("receivers") || n.getList("receivers").isEmpty() || !n.hasPath("route")) {
      return Optional.empty();
    }
    return Optional.of(json(n.getValue("route").render(ConfigRenderOptions.concise())));
  }

  /**
   * The routing of a node without receivers, as the article routes severities: P1 (critical) to the
   * webhook and by SMS to {@code autoglm.notifier.severity-routing.sms-phones}, P2 (warning) to the
   * webhook and by email to {@code email-recipients}, info to the feed only. With neither phones
   * nor recipients, {@link #of(WebhookSettings)}. A bad phone or address stops the node, naming the
   * key.
   */
  public static Routing defaults(Config root, WebhookSettings webhook) {
    Config d = root.getConfig("autoglm.notifier.severity-routing");
    List<String> phones = d.getStringList("sms-phones");
    List<String> emails = d.getStringList("email-recipients");
    if (phones.isEmpty() && emails.isEmpty()) {
      return of(webhook);
    }
    var mapper = Json.mapper();
    Map<String, Receiver> receivers = new LinkedHashMap<>();
    for (String level : List.of("p1", "p2")) {
      var r = mapper.createObjectNode().put("name", level);
      var channels = r.putArray("alert_channels");
      if (webhook.enabled()) {
        channels
            .addObject()
            .put("type", "webhook")
            .put("url", webhook.url())
            .put("secret", webhook.secret());
      }
      if (level.equals("p1") && !phones.isEmpty()) {
        var sms =
            channels.addObject().put("type", "sms").put("provider", d.getString("sms-provider"));
        phones.forEach(sms.putArray("phones")::add);
      }
      if (level.equals("p2") && !emails.isEmpty()) {
        var email = channels.addObject().put("type", "email");
        emails.forEach(email.putArray("recipients")::add);
      }
      try {
        receivers.put(level, ReceiverCodec.parse(r, webhook.guard()));
      } catch (InvalidFieldException e) {
        String key =
            e.field().contains("phones")
                ? "sms-phones"
                : e.field().contains("recipients") ? "email-recipients" : "webhook";
        throw new IllegalArgumentException(
            "autoglm.notifier.severity-routing." + key + ": " + e.getMessage(), e);
      }
    }
    receivers.put("feed", new Receiver("feed", List.of(), "en", "UTC"));
    Route tree = root("feed", List.of(severity("critical", "p1"), severity("warning", "p2")));
    return new Routing(tree, receivers);
  }

  /** The root of a default routing: each alert on its own, at once, to {@code receiver}. */
  private static Route root(String receiver, List<Route> routes) {
    return new Route(
        receiver,
        List.of(),
        false,
        RouteCodec.DEFAULT_GROUP_BY,
        0L,
        RouteCodec.DEFAULT_GROUP_INTERVAL_MS,
        RouteCodec.DEFAULT_REPEAT_INTERVAL_MS,
        List.of(),
        List.of(),
        RouteCodec.DEFAULT_ESCALATE_AFTER_MS,
        routes);
  }

  /** A child route: alerts of {@code severity} to {@code receiver}. */
  private static Route severity(String severity, String receiver) {
    return new Route(
        receiver,
        List.of(Matcher.parse("severity=" + severity)),
        false,
        null,
        null,
        null,
        null,
        List.of(),
        List.of(),
        null,
        List.of());
  }

  /**
   * The routing of a node without receivers: critical and warning alerts to the one webhook of
   * {@code autoglm.notifier.webhook.url} (signed with its secret), info alerts to the feed only (as
   * the article routes them); without a webhook, everything to the feed only.
   */
  public static Routing of(WebhookSettings webhook) {
    List<io.autoglm.monitor.notifier.receiver.ChannelConfig> channels =
        webhook.enabled()
            ? List.of(
                new io.autoglm.monitor.notifier.receiver.ChannelConfig.Webhook(
                    java.net.URI.create(webhook.url()), "POST", Map.of(), webhook.secret()))
            : List.of();
    String name = webhook.enabled() ? "webhook" : "feed";
    Route root = root(name, webhook.enabled() ? List.of(severity("info", "feed")) : List.of());
    Map<String, Receiver> receivers = new LinkedHashMap<>();
    receivers.put(name, new Receiver(name, channels, "en", "UTC"));
    receivers.put("feed", new Receiver("feed", List.of(), "en", "UTC"));
    return new Routing(root, receivers);
  }

  private static JsonNode json(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("HOCON renders JSON", e);
    }
  }

  /**
   * Refuses, naming the key, a receiver's channel the node has no account for (email without {@code
   * autoglm.notifier.smtp.host}, an SMS provider not configured): it would never send.
   */
  public Routing requireProviders(io.autoglm.monitor.notifier.deliver.Providers providers) {
    for (Receiver r : receivers.values()) {
      for (int c = 0; c < r.channels().size(); c++) {
        var channel = r.channels().get(c);
        String needs =
            channel instanceof io.autoglm.monitor.notifier.receiver.ChannelConfig.Email
                ? "email"
                : channel instanceof io.autoglm.monitor.notifier.receiver.ChannelConfig.Sms sms
                    ? sms.provider()
                    : null;
        if (needs != null && !providers.has(needs)) {
          throw new IllegalArgumentException(
              "autoglm.notifier.receivers (receiver "
                  + r.name()
                  + ", alert_channels["
                  + c
                  + "]): "
                  + (needs.equals("email")
                      ? "email needs an SMTP server: autoglm.notifier.smtp.host"
                      : "provider "
                          + needs
                          + " is not configured: autoglm.notifier.sms."
                          + (needs.equals("aliyun_sms") ? "aliyun" : needs)));
        }
      }
    }
    return this;
  }

  /** The labels routes, silences and inhibition rules match an alert by. */
  public static Map<String, String> labelsOf(Alert a) {
    Map<String, String> labels = new LinkedHashMap<>(a.labels());
    labels.put("alertname", a.ruleId());
    labels.put("severity", a.severity().wireName());
    labels.put("service", a.service());
    labels.put("endpoint", a.endpoint());
    labels.put("metric", a.metric());
    if (a.sourceIp() != null) {
      labels.put("src_ip", a.sourceIp());
    }
    return labels;
  }
}
