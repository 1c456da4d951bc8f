package io.autoglm.monitor.notifier.deliver;

import io.autoglm.monitor.notifier.channel.SignedWebhook;
import io.autoglm.monitor.notifier.channel.robot.Answer;
import io.autoglm.monitor.notifier.channel.robot.ChatMessage;
import io.autoglm.monitor.notifier.channel.robot.ChatRobot;
import io.autoglm.monitor.notifier.channel.robot.DingTalkRobot;
import io.autoglm.monitor.notifier.channel.robot.FeishuRobot;
import io.autoglm.monitor.notifier.channel.robot.SlackWebhook;
import io.autoglm.monitor.notifier.channel.robot.WeComRobot;
import io.autoglm.monitor.notifier.receiver.ChannelConfig;
import io.autoglm.monitor.notifier.receiver.Receiver;
import io.autoglm.monitor.notifier.template.EmailTemplates;
import io.autoglm.monitor.notifier.template.MessageTemplates;
import io.autoglm.monitor.notifier.template.MessageTemplates.Language;
import io.autoglm.monitor.protocols.alert.Alert;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What an alert change becomes on a receiver's channels: each channel's request, rendered in the
 * receiver's language and time zone with the default templates, carrying the alert change's
 * idempotency key. A channel whose provider the node has no account for is left out and named in
 * {@link Result#unsendable()}.
 */
public final class Deliveries {
  private Deliveries() {}

  /** The deliveries, and the channels that cannot be sent on this node (and why). */
  public record Result(List<Delivery> deliveries, List<String> unsendable) {}

  /** An alert change's deliveries. */
  public static Result of(
      Alert alert, Receiver receiver, Providers providers, String externalUrl, Instant now) {
    return of(Notification.of(alert), receiver, providers, externalUrl, now);
  }

  /**
   * {@code n}'s deliveries. A group's message is its first alert's, titled with how many more it
   * holds, and with every alert's text (at most {@value #MAX_RENDERED}) one after the other; its
   * webhook payload holds them all.
   */
  public static Result of(
      Notification n, Receiver receiver, Providers providers, String externalUrl, Instant now) {
    String key = n.key();
    Alert alert = n.first();
    Language language = Language.of(receiver.language());
    ZoneId zone = ZoneId.of(receiver.timezone());
    Receiver.Templates own = receiver.templates();
    List<Delivery> out = new ArrayList<>();
    List<String> unsendable = new ArrayList<>();
    for (ChannelConfig c : receiver.channels()) {
      if (c instanceof ChannelConfig.Email email) {
        if (providers.smtp().isEmpty()) {
          unsendable.add("email: no SMTP server configured (autoglm.notifier.smtp.host)");
          continue;
        }
        EmailTemplates.Rendered mail =
            renderMail(
                EmailTemplates.defaults(
                    language, zone, own.emailSubject(), own.emailText(), own.emailHtml()),
                n,
                language,
                externalUrl);
        out.add(
            new Delivery.Mail(
                receiver.name(),
                key,
                email.recipients(),
                mail.subject(),
                mail.text(),
                mail.html()));
      } else if (c instanceof ChannelConfig.Webhook hook) {
        out.add(
            new Delivery.Http(
                receiver.name(),
                "webhook",
                key,
                SignedWebhook.request(
                    hook.url(),
                    hook.method(),
                    hook.headers(),
                    hook.secret(),
                    receiver.name(),
                    externalUrl,
                    n,
                    now.toEpochMilli()),
                Answer::ofStatus));
      } else if (c instanceof ChannelConfig.Sms sms) {
        String text =
            MessageTemplates.defaults("sms", language, zone, null, own.sms())
                    .render(alert, externalUrl)
                    .body()
                + more(n, language);
        if (sms.provider().equals("aliyun_sms") && providers.aliyun().isPresent()) {
          var aliyun = providers.aliyun().get();
          out.add(
              new Delivery.Http(
                  receiver.name(),
                  "sms",
                  key,
                  aliyun.request(
                      sms.phones(), smsVariables(alert), now, UUID.randomUUID().toString(), key),
                  aliyun::judge));
        } else if (sms.provider().equals("twilio") && providers.twilio().isPresent()) {
          var twilio = providers.twilio().get();
          for (String phone : sms.phones()) {
            out.add(
                new Delivery.Http(
                    receiver.name(), "sms", key, twilio.request(phone, text), twilio::judge));
          }
        } else if (sms.provider().equals("http") && providers.httpSms().isPresent()) {
          var gateway = providers.httpSms().get();
          List<List<String>> batches =
              gateway.perPhone()
                  ? sms.phones().stream().map(List::of).toList()
                  : List.of(sms.phones());
          for (List<String> phones : batches) {
            out.add(
                new Delivery.Http(
                    receiver.name(),
                    "sms",
                    key,
                    gateway.request(phones, text, key, smsVariables(alert)),
                    gateway::judge));
          }
        } else {
          unsendable.add(
              "sms: provider " + sms.provider() + " is not configured (autoglm.notifier.sms)");
        }
      } else if (c instanceof ChannelConfig.Chat chat) {
        ChatRobot robot =
            switch (chat.type()) {
              case "dingtalk" -> new DingTalkRobot(chat.url(), chat.secret());
              case "wecom" -> new WeComRobot(chat.url());
              case "feishu" -> new FeishuRobot(chat.url(), chat.secret());
              default -> new SlackWebhook(chat.url());
            };
        MessageTemplates.Rendered m =
            render(
                MessageTemplates.defaults("chat", language, zone, own.chatTitle(), own.chatBody()),
                n,
                language,
                externalUrl);
        out.add(
            new Delivery.Http(
                receiver.name(),
                chat.type(),
                key,
                robot.request(
                    new ChatMessage(m.title(), m.body(), chat.mentions()), now.toEpochMilli()),
                robot::judge));
      }
    }
    return new Result(List.copyOf(out), List.copyOf(unsendable));
  }

  /** The most alerts of a group whose text one message holds (the webhook's payload has all). */
  static final int MAX_RENDERED = 20;

  /** What a group's title says of the alerts besides its first: nothing for one alert. */
  static String more(Notification n, Language language) {
    int others = n.alerts().size() - 1;
    if (others == 0) {
      return "";
    }
    return language == Language.ZH ? "（另有 " + others + " 条）" : " (+" + others + " more)";
  }

  /** The alerts of {@code n} whose text goes in, and a line for the rest. */
  private static List<Alert> rendered(Notification n) {
    return n.alerts().subList(0, Math.min(MAX_RENDERED, n.alerts().size()));
  }

  private static String rest(Notification n, Language language) {
    int left = n.alerts().size() - MAX_RENDERED;
    if (left <= 0) {
      return "";
    }
    return language == Language.ZH ? "\n\n……另有 " + left + " 条" : "\n\n... and " + left + " more";
  }

  static MessageTemplates.Rendered render(
      MessageTemplates templates, Notification n, Language language, String externalUrl) {
    MessageTemplates.Rendered first = templates.render(n.first(), externalUrl);
    if (n.alerts().size() == 1) {
      return first;
    }
    List<String> bodies = new ArrayList<>();
    for (Alert a : rendered(n)) {
      bodies.add(templates.render(a, externalUrl).body());
    }
    return new MessageTemplates.Rendered(
        first.title() + more(n, language), String.join("\n\n---\n\n", bodies) + rest(n, language));
  }

  static EmailTemplates.Rendered renderMail(
      EmailTemplates templates, Notification n, Language language, String externalUrl) {
    EmailTemplates.Rendered first = templates.render(n.first(), externalUrl);
    if (n.alerts().size() == 1) {
      return first;
    }
    List<String> texts = new ArrayList<>();
    List<String> htmls = new ArrayList<>();
    for (Alert a : rendered(n)) {
      EmailTemplates.Rendered r = templates.render(a, externalUrl);
      texts.add(r.text());
      htmls.add(r.html());
    }
    String rest = rest(n, language);
    return new EmailTemplates.Rendered(
        first.subject() + more(n, language),
        String.join("\n\n----\n\n", texts) + rest,
        String.join("\n<hr>\n", htmls) + (rest.isEmpty() ? "" : "\n<p>" + rest.strip() + "</p>"));
  }

  /** The variables an SMS provider's template gets (Aliyun templates name theirs). */
  static Map<String, String> smsVariables(Alert alert) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("status", alert.isFiring() ? "FIRING" : "RESOLVED");
    v.put("severity", alert.severity().wireName());
    v.put("rule", alert.ruleId());
    v.put("subject", alert.sourceIp() != null ? alert.sourceIp() : alert.endpoint());
    v.put("metric", alert.metric());
    v.put("value", Alert.formatValue(alert.value()));
    return v;
  }
}
