package io.autoglm.monitor.notifier.receiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.notifier.net.UrlGuard;
import io.autoglm.monitor.notifier.template.MessageTemplates;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a receiver from JSON: {@code name}, {@code alert_channels} (the article's channel list, as
 * it writes it; {@code channels} is the same), {@code language} ({@code en} or {@code zh}) and
 * {@code timezone}. Every field is checked and an error names it by its path ({@code
 * alert_channels[1].recipients[0]}); every URL goes through the SSRF guard as it is saved.
 */
public final class ReceiverCodec {
  static final int MAX_CHANNELS = 16;
  static final int MAX_RECIPIENTS = 50;
  static final int MAX_PHONES = 20;
  static final int MAX_HEADERS = 32;
  static final int MAX_MENTIONS = 20;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9]{5,15}");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "content-type",
          "content-length",
          "host",
          "transfer-encoding",
          "connection",
          "x-autoglm-delivery-id",
          "x-autoglm-timestamp",
          "x-autoglm-signature");
  private static final Set<String> CHAT = Set.of("dingtalk", "wecom", "feishu", "slack");
  private static final Set<String> SMS_PROVIDERS = Set.of("aliyun_sms", "twilio", "http");

  private ReceiverCodec() {}

  public static Receiver parse(JsonNode json, UrlGuard guard) {
    if (json == null || !json.isObject()) {
      throw new InvalidFieldException("receiver", "must be an object");
    }
    only(
        json,
        "",
        "name",
        "alert_channels",
        "channels",
        "language",
        "timezone",
        "send_resolved",
        "templates");
    String name = json.path("name").asText("");
    if (!json.path("name").isTextual() || !NAME.matcher(name).matches()) {
      throw new InvalidFieldException("name", "must be 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    if (json.has("alert_channels") && json.has("channels")) {
      throw new InvalidFieldException("channels", "give alert_channels or channels, not both");
    }
    String listField = json.has("channels") ? "channels" : "alert_channels";
    JsonNode list = json.get(listField);
    if (list == null || !list.isArray() || list.size() > MAX_CHANNELS) {
      throw new InvalidFieldException(
          listField,
          "must be a list of at most " + MAX_CHANNELS + " channels (empty: the feed only)");
    }
    List<ChannelConfig> channels = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      channels.add(channel(list.get(i), listField + "[" + i + "]", guard));
    }
    String language = json.path("language").asText("en").toLowerCase(Locale.ROOT);
    if (!language.equals("en") && !language.equals("zh")) {
      throw new InvalidFieldException("language", "must be en or zh");
    }
    String timezone = json.path("timezone").asText("UTC");
    try {
      ZoneId.of(timezone);
    } catch (DateTimeException e) {
      throw new InvalidFieldException("timezone", "unknown time zone '" + timezone + "'");
    }
    JsonNode sendResolved = json.get("send_resolved");
    if (sendResolved != null && !sendResolved.isBoolean()) {
      throw new InvalidFieldException("send_resolved", "must be true or false");
    }
    return new Receiver(
        name,
        channels,
        language,
        timezone,
        sendResolved == null || sendResolved.asBoolean(),
        templates(json.get("templates")));
  }

  /** The most characters one template may have. */
  static final int MAX_TEMPLATE_CHARS = 8192;

  /**
   * A receiver's own templates ({@code chat_title}, {@code chat_body}, {@code sms}, {@code
   * email_subject}, {@code email_text}, {@code email_html}), each compiled here so a bad one is
   * refused as it is saved, naming it.
   */
  private static Receiver.Templates templates(JsonNode t) {
    if (t == null || t.isNull()) {
      return Receiver.Templates.DEFAULTS;
    }
    if (!t.isObject()) {
      throw new InvalidFieldException("templates", "must be an object of Mustache templates");
    }
    only(
        t,
        "templates",
        "chat_title",
        "chat_body",
        "sms",
        "email_subject",
        "email_text",
        "email_html");
    String[] names = {
      "chat_title", "chat_body", "sms", "email_subject", "email_text", "email_html"
    };
    String[] values = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      JsonNode v = t.get(names[i]);
      if (v == null || v.isNull()) {
        continue;
      }
      String field = "templates." + names[i];
      if (!v.isTextual() || v.asText().length() > MAX_TEMPLATE_CHARS) {
        throw new InvalidFieldException(
            field, "must be a Mustache template of at most " + MAX_TEMPLATE_CHARS + " characters");
      }
      try {
        MessageTemplates.check(v.asText());
      } catch (MessageTemplates.InvalidTemplateException e) {
        throw new InvalidFieldException(field, e.getMessage());
      }
      values[i] = v.asText();
    }
    return new Receiver.Templates(values[0], values[1], values[2], values[3], values[4], values[5]);
  }

  private static ChannelConfig channel(JsonNode c, String path, UrlGuard guard) {
    if (!c.isObject()) {
      throw new InvalidFieldException(path, "must be an object with a type");
    }
    String type = c.path("type").asText("");
    switch (type) {
      case "email" -> {
        only(c, path, "type", "recipients");
        List<String> to = strings(c, path, "recipients", 1, MAX_RECIPIENTS);
        for (int i = 0; i < to.size(); i++) {
          try {
            new InternetAddress(to.get(i), true).validate();
          } catch (AddressException e) {
            throw new InvalidFieldException(
                path + ".recipients[" + i + "]", "not an email address: " + e.getMessage());
          }
        }
        return new ChannelConfig.Email(to);
      }
      case "webhook" -> {
        only(c, path, "type", "url", "method", "headers", "secret");
        URI url = url(c, path, guard);
        String method = c.path("method").asText("POST").toUpperCase(Locale.ROOT);
        if (!method.equals("POST") && !method.equals("PUT")) {
          throw new InvalidFieldException(path + ".method", "must be POST or PUT");
        }
        return new ChannelConfig.Webhook(
            url, method, headers(c, path), c.path("secret").asText(""));
      }
      case "sms" -> {
        only(c, path, "type", "phones", "provider");
        List<String> phones = strings(c, path, "phones", 1, MAX_PHONES);
        for (int i = 0; i < phones.size(); i++) {
          if (!PHONE.matcher(phones.get(i)).matches()) {
            throw new InvalidFieldException(
                path + ".phones[" + i + "]",
                "not a phone number: 5 to 15 digits, + in front allowed");
          }
        }
        String provider = c.path("provider").asText("");
        if (!SMS_PROVIDERS.contains(provider)) {
          throw new InvalidFieldException(
              path + ".provider", "must be one of " + new TreeSet<>(SMS_PROVIDERS));
        }
        return new ChannelConfig.Sms(phones, provider);
      }
      default -> {
        if (!CHAT.contains(type)) {
          throw new InvalidFieldException(
              path + ".type",
              "must be one of [dingtalk, email, feishu, slack, sms, webhook, wecom], got '"
                  + type
                  + "'");
        }
        boolean signs = type.equals("dingtalk") || type.equals("feishu");
        if (signs) {
          only(c, path, "type", "url", "secret", "mentions");
        } else {
          only(c, path, "type", "url", "mentions");
        }
        URI url = url(c, path, guard);
        List<String> mentions =
            c.has("mentions") ? strings(c, path, "mentions", 0, MAX_MENTIONS) : List.of();
        return new ChannelConfig.Chat(type, url, c.path("secret").asText(""), mentions);
      }
    }
  }

  private static URI url(JsonNode c, String path, UrlGuard guard) {
    JsonNode u = c.get("url");
    if (u == null || !u.isTextual()) {
      throw new InvalidFieldException(path + ".url", "is required");
    }
    try {
      return guard.check(u.asText());
    } catch (UrlGuard.RefusedUrlException e) {
      throw new InvalidFieldException(path + ".url", e.getMessage());
    }
  }

  private static Map<String, String> headers(JsonNode c, String path) {
    JsonNode h = c.get("headers");
    Map<String, String> out = new LinkedHashMap<>();
    if (h == null || h.isNull()) {
      return out;
    }
    if (!h.isObject() || h.size() > MAX_HEADERS) {
      throw new InvalidFieldException(
          path + ".headers", "must be an object of at most " + MAX_HEADERS + " headers");
    }
    for (var it = h.fields(); it.hasNext(); ) {
      var e = it.next();
      String field = path + ".headers." + e.getKey();
      if (!HEADER_NAME.matcher(e.getKey()).matches()) {
        throw new InvalidFieldException(field, "is not a header name");
      }
      if (RESERVED_HEADERS.contains(e.getKey().toLowerCase(Locale.ROOT))) {
        throw new InvalidFieldException(field, "is set by the notifier itself");
      }
      String value = e.getValue().asText("");
      if (!e.getValue().isTextual()
          || value.length() > 1024
          || value.chars().anyMatch(ch -> (ch < 0x20 && ch != '\t') || ch == 0x7f)) {
        throw new InvalidFieldException(
            field, "must be text without control characters, at most 1024");
      }
      out.put(e.getKey(), value);
    }
    return out;
  }

  private static List<String> strings(JsonNode c, String path, String name, int min, int max) {
    JsonNode a = c.get(name);
    if (a == null || !a.isArray() || a.size() < min || a.size() > max) {
      throw new InvalidFieldException(
          path + "." + name, "must be a list of " + min + " to " + max + " entries");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).isTextual() || a.get(i).asText().isBlank()) {
        throw new InvalidFieldException(path + "." + name + "[" + i + "]", "must be text");
      }
      out.add(a.get(i).asText().trim());
    }
    return out;
  }

  private static void only(JsonNode json, String path, String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (var it = json.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ok.contains(f)) {
        throw new InvalidFieldException(
            (path.isEmpty() ? "" : path + ".") + f,
            "unknown field; expected one of " + new TreeSet<>(ok));
      }
    }
  }
}
