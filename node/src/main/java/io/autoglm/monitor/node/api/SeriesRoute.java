package io.autoglm.monitor.node.api;

import static io.autoglm.monitor.node.api.JsonSupport.json;

import io.autoglm.monitor.persistence.cassandra.RollupStore;
import io.autoglm.monitor.sharding.NodeClock;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET .../series?metric=M[&from=&to=&step=]} of any entity with a per-minute history (an
 * endpoint, a source IP): parses the query ({@link Series.Query}; a 400 names the parameter) and
 * answers from the history.
 */
final class SeriesRoute extends AllDirectives {
  private final RollupStore history;
  private final NodeClock clock;
  private final EndpointRoutes.Settings settings;

  private SeriesRoute(RollupStore history, NodeClock clock, EndpointRoutes.Settings settings) {
    this.history = history;
    this.clock = clock;
    this.settings = settings;
  }

  /**
   * @param entity the entity's persistence id, under which its minutes are stored
   * @param id what the answer names it
   */
  static Route series(
      RollupStore history,
      String entity,
      String id,
      NodeClock clock,
      EndpointRoutes.Settings settings) {
    return new SeriesRoute(history, clock, settings).route(entity, id);
  }

  private Route route(String entity, String id) {
    return parameterOptional(
        "metric",
        metric ->
            parameterOptional(
                "from",
                from ->
                    parameterOptional(
                        "to",
                        to ->
                            parameterOptional(
                                "step", step -> answer(entity, id, metric, from, to, step)))));
  }

  private Route answer(
      String entity,
      String id,
      Optional<String> metric,
      Optional<String> from,
      Optional<String> to,
      Optional<String> step) {
    Series.Query query;
    try {
      query =
          Series.Query.parse(
              metric,
              from,
              to,
              step,
              clock.wallMillis(),
              settings.historyTtl().toMillis(),
              settings.maxPoints());
    } catch (Series.InvalidParameter e) {
      return complete(
          json(
              StatusCodes.BAD_REQUEST,
              ErrorBody.ofField(e.getMessage(), e.parameter(), e.reason())));
    }
    return onSuccess(
        history.read(entity, query.fromMs(), query.toMs()),
        minutes -> complete(JsonSupport.ok(Series.of(id, query, minutes))));
  }
}
