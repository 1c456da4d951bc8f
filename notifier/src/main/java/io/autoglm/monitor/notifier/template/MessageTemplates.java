package io.autoglm.monitor.notifier.template;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import io.autoglm.monitor.protocols.alert.Alert;
import io.autoglm.monitor.protocols.rule.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How an alert reads in a message: Mustache templates (a title and a body) rendered with the
 * alert's fields. Each channel kind has defaults in English and Chinese ({@code
 * templates/{en,zh}/…}); a receiver may give its own. Chat and SMS templates are plain text (no
 * HTML escaping).
 *
 * <p>The fields: {@code status} ({@code FIRING}/{@code RESOLVED}), {@code status_label}, {@code
 * firing}, {@code resolved}, {@code severity}, {@code severity_label} ({@code P1}, {@code P2},
 * {@code info}; 严重, 警告, 提示 in Chinese), {@code rule}, {@code service}, {@code endpoint}, {@code
 * source_ip}, {@code subject} (the source IP, else the endpoint), {@code subject_kind}, {@code
 * subject_kind_label}, {@code metric}, {@code value}, {@code comparison}, {@code threshold}, {@code
 * summary}, {@code description}, {@code explanation}, {@code kind}, {@code starts_at}, {@code
 * ends_at} (in the receiver's time zone), {@code flapping}, {@code url} and {@code labels} (a list
 * of {@code name}/{@code value}).
 */
public final class MessageTemplates {
  public enum Language {
    EN,
    ZH;

    public static Language of(String tag) {
      return tag != null && tag.toLowerCase(Locale.ROOT).startsWith("zh") ? ZH : EN;
    }
  }

  /** A rendered message. */
  public record Rendered(String title, String body) {}

  /** A template that does not compile: which one and why. */
  public static final class InvalidTemplateException extends IllegalArgumentException {
    public InvalidTemplateException(String name, String why) {
      super("template " + name + " is invalid: " + why);
    }
  }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

  /** Plain-text Mustache: values go in as they are. */
  private static final class PlainText extends DefaultMustacheFactory {
    @Override
    public void encode(String value, Writer writer) {
      try {
        writer.write(value);
      } catch (IOException e) {
        throw new MustacheException(e);
      }
    }
  }

  private final Mustache title;
  private final Mustache body;
  private final Language language;
  private final ZoneId zone;

  private MessageTemplates(Mustache title, Mustache body, Language language, ZoneId zone) {
    this.title = title;
    this.body = body;
    this.language = language;
    this.zone = zone;
  }

  /** The default templates of a chat robot ({@code chat}) or SMS ({@code sms}, no title). */
  public static MessageTemplates defaults(String kind, Language language, ZoneId zone) {
    return defaults(kind, language, zone, null, null);
  }

  /**
   * A receiver's templates of a chat robot ({@code chat}) or SMS ({@code sms}): its own {@code
   * title} and {@code body} where given, the defaults where null.
   */
  public static MessageTemplates defaults(
      String kind, Language language, ZoneId zone, String title, String body) {
    String dir = language.name().toLowerCase(Locale.ROOT);
    String titleText =
        title != null
            ? title
            : kind.equals("sms") ? "" : resource(dir + "/" + kind + "-title.mustache");
    String bodyText =
        body != null
            ? body
            : resource(dir + "/" + (kind.equals("sms") ? "sms" : kind + "-body") + ".mustache");
    return of(titleText, bodyText, language, zone);
  }

  /** Compiles {@code template}; an {@link InvalidTemplateException} says what is wrong. */
  public static void check(String template) {
    compile("template", template);
  }

  /** Templates of a receiver's own; an {@link InvalidTemplateException} names a bad one. */
  public static MessageTemplates of(
      String titleTemplate, String bodyTemplate, Language language, ZoneId zone) {
    return new MessageTemplates(
        compile("title", titleTemplate), compile("body", bodyTemplate), language, zone);
  }

  private static Mustache compile(String name, String template) {
    return verbatim(name, template);
  }

  /**
   * {@code template} compiled to put values in as they are (a plain-text message, or a request body
   * whose template escapes its values itself); an {@link InvalidTemplateException} names it.
   */
  public static Mustache verbatim(String name, String template) {
    try {
      return new PlainText().compile(new StringReader(template), name);
    } catch (MustacheException e) {
      throw new InvalidTemplateException(name, e.getMessage());
    }
  }

  static String resource(String path) {
    try (InputStream in =
        MessageTemplates.class.getResourceAsStream(
            "/io/autoglm/monitor/notifier/templates/" + path)) {
      if (in == null) {
        throw new IllegalStateException("no default template " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code alert} as a message; {@code externalUrl} is where the node's alert list is. */
  public Rendered render(Alert alert, String externalUrl) {
    Map<String, Object> scope = scope(alert, externalUrl);
    return new Rendered(run(title, scope).strip(), run(body, scope).strip());
  }

  private static String run(Mustache template, Map<String, Object> scope) {
    StringWriter out = new StringWriter();
    template.execute(out, scope);
    return out.toString();
  }

  Map<String, Object> scope(Alert a, String externalUrl) {
    boolean zh = language == Language.ZH;
    boolean ip = a.sourceIp() != null;
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("status", a.isFiring() ? "FIRING" : "RESOLVED");
    s.put(
        "status_label", zh ? (a.isFiring() ? "告警" : "恢复") : (a.isFiring() ? "FIRING" : "RESOLVED"));
    s.put("firing", a.isFiring());
    s.put("resolved", !a.isFiring());
    s.put("severity", a.severity().wireName());
    s.put("severity_label", severityLabel(a.severity(), zh));
    s.put("rule", a.ruleId());
    s.put("service", a.service());
    s.put("endpoint", a.endpoint());
    s.put("source_ip", a.sourceIp());
    s.put("subject", ip ? a.sourceIp() : a.endpoint());
    s.put("subject_kind", ip ? "source IP" : "endpoint");
    s.put("subject_kind_label", ip ? "来源 IP" : "接口");
    s.put("metric", a.metric());
    s.put("value", Alert.formatValue(a.value()));
    s.put("comparison", a.comparison());
    s.put("threshold", Alert.formatValue(a.threshold()));
    s.put("summary", a.summary());
    s.put("description", a.description());
    s.put(
        "explanation",
        a.explanation() == null || a.explanation().isEmpty() ? null : a.explanation());
    s.put("kind", a.kind());
    s.put("starts_at", TIME.format(Instant.ofEpochMilli(a.startsAt()).atZone(zone)));
    s.put(
        "ends_at",
        a.isFiring() ? null : TIME.format(Instant.ofEpochMilli(a.endsAt()).atZone(zone)));
    s.put("flapping", a.flapping());
    s.put("url", externalUrl + "/api/v1/alerts");
    List<Map<String, String>> labels = new ArrayList<>();
    new java.util.TreeMap<>(a.labels())
        .forEach((k, v) -> labels.add(Map.of("name", k, "value", v)));
    s.put("labels", labels);
    return s;
  }

  /** The article's levels: critical is P1, warning P2, info the feed's. */
  static String severityLabel(Severity severity, boolean zh) {
    return switch (severity) {
      case CRITICAL -> zh ? "P1 严重" : "P1";
      case WARNING -> zh ? "P2 警告" : "P2";
      case INFO -> zh ? "提示" : "info";
    };
  }
}
