package io.autoglm.monitor.node.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console's static files, from the classpath folder {@code console/}: {@code GET /} is its
 * page, {@code GET /ui/...} its modules, styles and vendored chart library. They hold no data (the
 * page asks the API for everything with the token the user gives it), so they need no token.
 *
 * <p>Only names made of letters, digits, {@code _ - .} that do not start with a dot, with an
 * extension from {@link #TYPES}, are looked up: a {@code ..} segment, encoded or not, an encoded
 * slash or backslash, a folder name or a file of another type is a 404, so nothing outside {@code
 * console/} (nor a classpath folder listing) can be read through it. Files are read once and kept:
 * the set is what the jar holds, so the cache is bounded by it.
 */
public final class ConsoleRoutes extends AllDirectives {
  private static final String ROOT = "console/";
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}");
  private static final int MAX_DEPTH = 4;

  /** The extensions served, and their types. */
  static final Map<String, ContentType> TYPES =
      Map.of(
          "html", ContentTypes.TEXT_HTML_UTF8,
          "js", ContentTypes.parse("text/javascript; charset=UTF-8"),
          "css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8),
          "svg", MediaTypes.IMAGE_SVG_XML.toContentType(),
          "png", MediaTypes.IMAGE_PNG.toContentType(),
          "ico", MediaTypes.IMAGE_X_ICON.toContentType(),
          "txt", ContentTypes.TEXT_PLAIN_UTF8);

  /**
   * The page's own files may change with every release and carry no version in their names: the
   * browser asks again each time (an unchanged file costs a 304 by its ETag). The vendored library
   * has its version in its folder's {@code VERSION} and changes rarely.
   */
  static final String CACHE_APP = "no-cache";

  static final String CACHE_VENDOR = "public, max-age=86400";

  /**
   * Scripts and styles from this node only; requests (and the feed's WebSocket) to this node only;
   * never framed.
   */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none';"
          + " base-uri 'none'; form-action 'none'";

  private record Asset(byte[] bytes, ContentType type, String etag, String cacheControl) {}

  private static final Asset MISSING = new Asset(new byte[0], null, "", "");
  private final Map<String, Asset> cache = new ConcurrentHashMap<>();
  private final ClassLoader loader;

  public ConsoleRoutes() {
    this(ConsoleRoutes.class.getClassLoader());
  }

  ConsoleRoutes(ClassLoader loader) {
    this.loader = loader;
  }

  public Route route() {
    return get(
        () ->
            concat(
                pathSingleSlash(() -> extractRequest(r -> serve(List.of("index.html"), r))),
                pathPrefix(
                    "ui",
                    () ->
                        extractRequest(
                            r -> {
                              List<String> segments = new ArrayList<>();
                              r.getUri().pathSegments().forEach(segments::add);
                              return serve(segments.subList(1, segments.size()), r);
                            }))));
  }

  private Route serve(List<String> segments, HttpRequest request) {
    Optional<Asset> asset = resolve(segments);
    if (asset.isEmpty()) {
      return complete(JsonSupport.error(StatusCodes.NOT_FOUND, "no such file of the console"));
    }
    Asset a = asset.get();
    List<HttpHeader> headers =
        List.of(
            RawHeader.create("ETag", a.etag()),
            RawHeader.create("Cache-Control", a.cacheControl()),
            RawHeader.create("X-Content-Type-Options", "nosniff"),
            RawHeader.create("Content-Security-Policy", CSP),
            RawHeader.create("Referrer-Policy", "no-referrer"));
    boolean unchanged =
        request.getHeader("If-None-Match").map(h -> h.value().contains(a.etag())).orElse(false);
    if (unchanged) {
      return complete(
          HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED).addHeaders(headers));
    }
    return complete(
        HttpResponse.create()
            .withEntity(HttpEntities.create(a.type(), a.bytes()))
            .addHeaders(headers));
  }

  /** The file the decoded path segments name under {@code console/}, if it is one served. */
  Optional<Asset> resolve(List<String> segments) {
    if (segments.isEmpty() || segments.size() > MAX_DEPTH) {
      return Optional.empty();
    }
    for (String s : segments) {
      if (!SEGMENT.matcher(s).matches()) {
        return Optional.empty();
      }
    }
    String name = segments.get(segments.size() - 1);
    int dot = name.lastIndexOf('.');
    ContentType type =
        name.equals("LICENSE")
            ? ContentTypes.TEXT_PLAIN_UTF8
            : dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    if (type == null) {
      return Optional.empty();
    }
    String path = ROOT + String.join("/", segments);
    Asset a =
        cache.computeIfAbsent(
            path,
            p -> {
              byte[] bytes = read(p);
              return bytes == null
                  ? MISSING
                  : new Asset(
                      bytes,
                      type,
                      etag(bytes),
                      segments.get(0).equals("vendor") ? CACHE_VENDOR : CACHE_APP);
            });
    if (a == MISSING) {
      cache.remove(path); // a name that does not exist is not kept: the cache is what exists
      return Optional.empty();
    }
    return Optional.of(a);
  }

  private byte[] read(String path) {
    try (InputStream in = loader.getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
