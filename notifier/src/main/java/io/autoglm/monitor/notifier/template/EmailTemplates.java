package io.autoglm.monitor.notifier.template;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import io.autoglm.monitor.notifier.template.MessageTemplates.InvalidTemplateException;
import io.autoglm.monitor.notifier.template.MessageTemplates.Language;
import io.autoglm.monitor.protocols.alert.Alert;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;

/**
 * How an alert reads as an email: a subject and a plain-text body (plain Mustache, like {@link
 * MessageTemplates}) and an HTML body, whose values are HTML-escaped. Defaults in English and
 * Chinese; a receiver may give its own.
 */
public final class EmailTemplates {
  /** A rendered email. */
  public record Rendered(String subject, String text, String html) {}

  private final MessageTemplates subjectAndText;
  private final Mustache html;

  private EmailTemplates(MessageTemplates subjectAndText, Mustache html) {
    this.subjectAndText = subjectAndText;
    this.html = html;
  }

  public static EmailTemplates defaults(Language language, ZoneId zone) {
    return defaults(language, zone, null, null, null);
  }

  /** A receiver's email templates: its own where given, the defaults where null. */
  public static EmailTemplates defaults(
      Language language, ZoneId zone, String subject, String text, String html) {
    String dir = language.name().toLowerCase(Locale.ROOT) + "/";
    return of(
        subject != null ? subject : MessageTemplates.resource(dir + "email-subject.mustache"),
        text != null ? text : MessageTemplates.resource(dir + "email-text.mustache"),
        html != null ? html : MessageTemplates.resource(dir + "email-html.mustache"),
        language,
        zone);
  }

  public static EmailTemplates of(
      String subject, String text, String html, Language language, ZoneId zone) {
    Mustache compiled;
    try {
      compiled = new DefaultMustacheFactory().compile(new StringReader(html), "html");
    } catch (MustacheException e) {
      throw new InvalidTemplateException("html", e.getMessage());
    }
    return new EmailTemplates(MessageTemplates.of(subject, text, language, zone), compiled);
  }

  public Rendered render(Alert alert, String externalUrl) {
    MessageTemplates.Rendered plain = subjectAndText.render(alert, externalUrl);
    Map<String, Object> scope = subjectAndText.scope(alert, externalUrl);
    StringWriter out = new StringWriter();
    html.execute(out, scope);
    return new Rendered(plain.title(), plain.body(), out.toString().strip());
  }
}
