package io.autoglm.monitor.sharding.catalog;

import io.autoglm.monitor.sharding.stats.EndpointKey;
import java.util.List;
import java.util.Map;

/**
 * Turns the path of a capture record into the path its endpoint is counted under, before anything
 * is admitted: the query string and fragment go; a path matching one of its service's templates (or
 * one of the templates for every service) becomes that template; in strict mode a path matching no
 * template goes to {@link EndpointKey#OTHER_PATH}. The literal path {@code /(other)} always goes
 * there too, so a client cannot claim a name of its own that looks like the fold.
 *
 * <p>Immutable and thread safe; called for every record on the ingest threads.
 */
public final class PathNormalizer {
  /** No templates, not strict: only the query string and fragment are dropped. */
  public static final PathNormalizer DEFAULT = new PathNormalizer(Map.of(), List.of(), false);

  private final Map<String, List<PathTemplate>> byService;
  private final List<PathTemplate> forAll;
  private final boolean strict;

  /**
   * @param byService the templates of each service, tried first, in order
   * @param forAll templates for every service, tried after the service's own
   * @param strict whether a path matching no template folds into {@code /(other)}
   */
  public PathNormalizer(
      Map<String, List<PathTemplate>> byService, List<PathTemplate> forAll, boolean strict) {
    this.byService = Map.copyOf(byService);
    this.forAll = List.copyOf(forAll);
    this.strict = strict;
  }

  public boolean strict() {
    return strict;
  }

  public String normalize(String service, String path) {
    String p = withoutQuery(path);
    if (p.equals(EndpointKey.OTHER_PATH)) {
      return EndpointKey.OTHER_PATH;
    }
    if (!byService.isEmpty()) {
      List<PathTemplate> own = byService.get(service);
      if (own != null) {
        for (PathTemplate t : own) {
          if (t.matches(p)) {
            return t.template();
          }
        }
      }
    }
    for (PathTemplate t : forAll) {
      if (t.matches(p)) {
        return t.template();
      }
    }
    return strict ? EndpointKey.OTHER_PATH : p;
  }

  private static String withoutQuery(String path) {
    for (int i = 0, n = path.length(); i < n; i++) {
      char c = path.charAt(i);
      if (c == '?' || c == '#') {
        return path.substring(0, i); // i >= 1: a path starts with '/'
      }
    }
    return path;
  }
}
