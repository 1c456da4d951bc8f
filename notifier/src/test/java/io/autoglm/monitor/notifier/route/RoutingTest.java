package io.autoglm.monitor.notifier.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.autoglm.monitor.notifier.deliver.Providers;
import io.autoglm.monitor.notifier.net.UrlGuard;
import org.junit.jupiter.api.Test;

/** Routing read from a node's configuration, and refused there when it could not work. */
class RoutingTest {
  private static Config config(String notifier) {
    return ConfigFactory.parseString("autoglm.notifier {" + notifier + "}")
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  private static final String RECEIVERS =
      """
      receivers = [
        {name = feed, alert_channels = []}
        {name = p2, alert_channels = [
          {type = webhook, url = "https://hooks.example.com/a"}
          {type = email, recipients = ["ops@example.com"]}]}
      ]
      """;

  /** Without receivers: critical and warning to the webhook, info to the feed only. */
  @Test
  void aNodeWithOnlyAWebhookSendsInfoToTheFeedOnly() {
    Routing r =
        Routing.of(
            io.autoglm.monitor.notifier.channel.WebhookSettings.fromConfig(
                config("webhook.url = \"https://hooks.example.com/a\"")));
    for (String severity : java.util.List.of("critical", "warning")) {
      assertEquals(
          "webhook", r.route().match(java.util.Map.of("severity", severity)).get(0).receiver());
    }
    assertEquals("feed", r.route().match(java.util.Map.of("severity", "info")).get(0).receiver());
    assertEquals(java.util.List.of(), r.receivers().get("feed").channels());
    Routing none =
        Routing.of(io.autoglm.monitor.notifier.channel.WebhookSettings.fromConfig(config("")));
    assertEquals(
        "feed", none.route().match(java.util.Map.of("severity", "critical")).get(0).receiver());
  }

  /**
   * Without receivers, with phones and addresses: the article's routing, P1 to the webhook and SMS,
   * P2 to the webhook and email, info to the feed only; a bad phone names the key.
   */
  @Test
  void theArticlesSeverityRoutingByDefault() {
    Config c =
        config(
            "webhook.url = \"https://hooks.example.com/a\"\n"
                + "severity-routing { sms-phones = [\"13800138000\"], email-recipients ="
                + " [\"ops@example.com\"] }\n"
                + "smtp.host = smtp.example.com\n"
                + "sms.aliyun { access-key-id = k, access-key-secret = s, sign-name = n,"
                + " template-code = t }");
    var webhook = io.autoglm.monitor.notifier.channel.WebhookSettings.fromConfig(c);
    Routing r = Routing.defaults(c, webhook).requireProviders(Providers.fromConfig(c));
    assertEquals("p1", r.route().match(java.util.Map.of("severity", "critical")).get(0).receiver());
    assertEquals("p2", r.route().match(java.util.Map.of("severity", "warning")).get(0).receiver());
    assertEquals("feed", r.route().match(java.util.Map.of("severity", "info")).get(0).receiver());
    assertEquals(
        java.util.List.of("webhook", "sms"),
        r.receivers().get("p1").channels().stream().map(ch -> ch.type()).toList());
    assertEquals(
        java.util.List.of("webhook", "email"),
        r.receivers().get("p2").channels().stream().map(ch -> ch.type()).toList());

    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> Routing.defaults(config("severity-routing.sms-phones = [\"call me\"]"), webhook));
    assertTrue(
        bad.getMessage().startsWith("autoglm.notifier.severity-routing.sms-phones"),
        bad.getMessage());
    IllegalArgumentException noSmtp =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Routing.defaults(
                        config("severity-routing.email-recipients = [\"ops@example.com\"]"),
                        webhook)
                    .requireProviders(Providers.NONE));
    assertTrue(noSmtp.getMessage().contains("autoglm.notifier.smtp.host"), noSmtp.getMessage());
  }

  @Test
  void receiversAndRouteFromConfig() {
    Config c =
        config(
            RECEIVERS
                + "route { receiver = feed, routes = [{matchers = [\"severity=warning\"], receiver = p2}] }\n smtp.host = smtp.example.com");
    Routing r =
        Routing.fromConfig(c, UrlGuard.strict())
            .orElseThrow()
            .requireProviders(Providers.fromConfig(c));
    assertEquals(java.util.Set.of("feed", "p2"), r.receivers().keySet());
    assertEquals("p2", r.route().match(java.util.Map.of("severity", "warning")).get(0).receiver());
    assertTrue(Routing.fromConfig(config(""), UrlGuard.strict()).isEmpty(), "none configured");
  }

  @Test
  void mistakesStopTheNodeNamingTheKey() {
    IllegalArgumentException noSmtp =
        assertThrows(
            IllegalArgumentException.class,
            () -> {
              Config c = config(RECEIVERS + "route { receiver = feed }");
              Routing.fromConfig(c, UrlGuard.strict())
                  .orElseThrow()
                  .requireProviders(Providers.fromConfig(c));
            });
    assertEquals(
        "autoglm.notifier.receivers (receiver p2, alert_channels[1]): email needs an SMTP server:"
            + " autoglm.notifier.smtp.host",
        noSmtp.getMessage());
    IllegalArgumentException noRoute =
        assertThrows(
            IllegalArgumentException.class,
            () -> Routing.fromConfig(config(RECEIVERS), UrlGuard.strict()));
    assertTrue(noRoute.getMessage().startsWith("autoglm.notifier.route:"), noRoute.getMessage());
    IllegalArgumentException badPhone =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Routing.fromConfig(
                    config(
                        "receivers = [{name = x, alert_channels = [{type = sms, phones = [\"12\"],"
                            + " provider = twilio}]}]\n route { receiver = x }"),
                    UrlGuard.strict()));
    assertEquals(
        "autoglm.notifier.receivers[0].alert_channels[0].phones[0]: not a phone number: 5 to 15"
            + " digits, + in front allowed",
        badPhone.getMessage());
  }
}
