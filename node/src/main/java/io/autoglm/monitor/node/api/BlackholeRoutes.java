package io.autoglm.monitor.node.api;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.remote.RARP;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import scala.jdk.javaapi.FutureConverters;

/**
 * Network partitions for the fault drills ({@code autoglm drill partition}): {@code PUT
 * /api/v1/cluster/blackholes/{address}} makes this node drop all cluster traffic to and from the
 * member at {@code address} (its heartbeats, gossip and shard messages alike), {@code DELETE} lets
 * it through again. HTTP, ingest and Cassandra are untouched: the node goes on serving its clients
 * while it cannot reach the other member, as on the losing side of a real network split.
 *
 * <p>Only on a node started with Artery's test mode ({@code pekko.remote.artery.advanced.test-mode
 * = on}), which the drills set; elsewhere the routes answer 404 and say so. Test mode costs a check
 * per remote message and must never be on in production.
 */
final class BlackholeRoutes extends AllDirectives {

  /**
   * Scala's {@code Direction.Both}, an object nested in an object, which Java source cannot name:
   * javac looks for a class file that scalac does not write.
   */
  private static final ThrottlerTransportAdapter.Direction BOTH =
      scalaObject("org.apache.pekko.remote.transport.ThrottlerTransportAdapter$Direction$Both$");

  private static ThrottlerTransportAdapter.Direction scalaObject(String className) {
    try {
      return (ThrottlerTransportAdapter.Direction)
          Class.forName(className).getField("MODULE$").get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("pekko-remote without " + className, e);
    }
  }

  record Blackhole(String self, String address, boolean blackholed) {}

  private final ActorSystem<?> system;
  private final boolean testMode;

  BlackholeRoutes(ActorSystem<?> system) {
    this.system = system;
    this.testMode = system.settings().config().getBoolean("pekko.remote.artery.advanced.test-mode");
  }

  Route route() {
    return pathPrefix(
        PathMatchers.segment("api").slash("v1").slash("cluster").slash("blackholes"),
        () ->
            path(
                PathMatchers.segment(),
                address ->
                    concat(put(() -> set(address, true)), delete(() -> set(address, false)))));
  }

  private Route set(String text, boolean on) {
    if (!testMode) {
      return complete(
          JsonSupport.error(
              StatusCodes.NOT_FOUND,
              "fault injection is off: blackholes are for the drills, on a node started with"
                  + " -Dpekko.remote.artery.advanced.test-mode=on"));
    }
    Address address;
    try {
      address = AddressFromURIString.parse(text);
    } catch (Exception e) { // a MalformedURLException, which Scala throws unchecked
      return complete(
          JsonSupport.error(
              StatusCodes.BAD_REQUEST,
              "address: not a cluster address like pekko://autoglm@127.0.0.1:25520: "
                  + (text.length() > 100 ? text.substring(0, 100) + "..." : text)));
    }
    Address self = Cluster.get(system).selfMember().address();
    if (address.equals(self) || !address.hasGlobalScope()) {
      return complete(
          JsonSupport.error(
              StatusCodes.BAD_REQUEST, "address: must be another node's, not " + self));
    }
    var command =
        new ThrottlerTransportAdapter.SetThrottle(
            address,
            BOTH,
            on
                ? ThrottlerTransportAdapter.Blackhole$.MODULE$
                : ThrottlerTransportAdapter.Unthrottled$.MODULE$);
    CompletionStage<Object> done =
        FutureConverters.asJava(
            ((RARP) RARP.get(system)).provider().transport().managementCommand(command));
    return onSuccess(
        done,
        ignored ->
            complete(JsonSupport.ok(new Blackhole(self.toString(), address.toString(), on))));
  }
}
