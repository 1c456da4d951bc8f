package io.autoglm.monitor.notifier.net;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * The SSRF guard of every URL the notifier calls (webhooks, chat robots, SMS gateways): a
 * receiver's URL is someone's input, and the node must not be made to call into its own network (an
 * admin API on loopback, a database on a private address, a cloud's metadata service).
 *
 * <p>A URL is checked when it is saved ({@link #check(String)}: scheme, host, and the host itself
 * when it is an address), and again when a connection is made ({@link #resolve}: every address the
 * name resolves to, so a name that points at a private address, or is re-pointed there later, is
 * refused too), and on every redirect. Refused: anything but {@code http} and {@code https};
 * loopback, unspecified, private (RFC 1918, IPv6 unique local), shared (100.64/10, where some
 * clouds keep their metadata service), link-local (169.254/16, the usual metadata address, and
 * fe80::/10), multicast, broadcast and reserved addresses; and those same addresses written any
 * other way a resolver reads them ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}, {@code
 * ::ffff:127.0.0.1}, IPv4 inside 6to4 or NAT64 addresses). Addresses in the allow-list ({@code
 * autoglm.notifier.allowed-networks}, CIDRs) are let through: tests and on-premises receivers.
 */
public final class UrlGuard {

  /** Why a URL may not be called: a message for the user, naming what was refused. */
  public static final class RefusedUrlException extends Exception {
    public RefusedUrlException(String message) {
      super(message);
    }
  }

  /** Addresses a receiver may never be at, unless allowed: each with the name the error gives. */
  private record Blocked(IPAddress network, String what) {}

  private static final List<Blocked> BLOCKED =
      List.of(
          blocked("0.0.0.0/8", "an unspecified address"),
          blocked("10.0.0.0/8", "a private address"),
          blocked("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
          blocked("127.0.0.0/8", "a loopback address"),
          blocked("169.254.0.0/16", "a link-local address (cloud metadata lives there)"),
          blocked("172.16.0.0/12", "a private address"),
          blocked("192.0.0.0/24", "a reserved address"),
          blocked("192.0.2.0/24", "a documentation address"),
          blocked("192.168.0.0/16", "a private address"),
          blocked("198.18.0.0/15", "a benchmarking address"),
          blocked("198.51.100.0/24", "a documentation address"),
          blocked("203.0.113.0/24", "a documentation address"),
          blocked("224.0.0.0/4", "a multicast address"),
          blocked("240.0.0.0/4", "a reserved or broadcast address"),
          blocked("::/128", "an unspecified address"),
          blocked("::1/128", "a loopback address"),
          blocked("fc00::/7", "a private (unique local) address"),
          blocked("fe80::/10", "a link-local address"),
          blocked("ff00::/8", "a multicast address"),
          blocked("2001:db8::/32", "a documentation address"));

  /**
   * Reads hosts the way resolvers do: IPv4 in one to four parts, each decimal, octal (leading 0) or
   * hex (0x), as well as IPv6.
   */
  private static final IPAddressStringParameters ADDRESS_FORMS = addressForms();

  private static IPAddressStringParameters addressForms() {
    IPAddressStringParameters.Builder b =
        new IPAddressStringParameters.Builder()
            .allowEmpty(false)
            .allowAll(false)
            .allowPrefix(false)
            .allowMask(false)
            .allowPrefixOnly(false)
            .allowSingleSegment(true)
            .allow_inet_aton(true);
    b.getIPv4AddressParametersBuilder()
        .allow_inet_aton_hex(true)
        .allow_inet_aton_octal(true)
        .allow_inet_aton_joined_segments(true)
        .allow_inet_aton_leading_zeros(true);
    return b.toParams();
  }

  private static Blocked blocked(String cidr, String what) {
    return new Blocked(new IPAddressString(cidr).getAddress().toPrefixBlock(), what);
  }

  /** How a name is resolved: the system's resolver, or a test's table. */
  @FunctionalInterface
  public interface Lookup {
    InetAddress[] addressesOf(String name) throws UnknownHostException;

    Lookup SYSTEM = InetAddress::getAllByName;
  }

  private final List<IPAddress> allowed;
  private final Lookup lookup;

  /** A guard that lets the addresses of {@code allowedNetworks} (CIDRs or addresses) through. */
  public UrlGuard(List<String> allowedNetworks) {
    this(allowedNetworks, Lookup.SYSTEM);
  }

  /** {@link #UrlGuard(List)} resolving names with {@code lookup}. */
  public UrlGuard(List<String> allowedNetworks, Lookup lookup) {
    this.lookup = lookup;
    this.allowed =
        allowedNetworks.stream()
            .map(
                n -> {
                  IPAddress a = new IPAddressString(n.trim()).getAddress();
                  if (a == null) {
                    throw new IllegalArgumentException(
                        "allowed network '" + n + "' is not an address or CIDR");
                  }
                  return a.toPrefixBlock();
                })
            .toList();
  }

  /** A guard with nothing allowed beyond public addresses. */
  public static UrlGuard strict() {
    return new UrlGuard(List.of());
  }

  /**
   * Checks a URL as it is saved: {@code http} or {@code https}, a host, and, when the host is an
   * address, a public one (or an allowed one). A name is checked when it is resolved.
   */
  public URI check(String url) throws RefusedUrlException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new RefusedUrlException("not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new RefusedUrlException(
          "scheme '"
              + (uri.getScheme() == null ? "" : uri.getScheme())
              + "' is refused: only"
              + " http and https");
    }
    String host = hostOf(uri);
    if (host == null || host.isEmpty()) {
      throw new RefusedUrlException("the URL has no host");
    }
    IPAddress literal = addressIn(host);
    if (literal != null) {
      refuseIfBlocked(host, literal);
    } else if (host.equalsIgnoreCase("localhost")
        || host.toLowerCase(Locale.ROOT).endsWith(".localhost")) {
      throw new RefusedUrlException("host '" + host + "' is refused: it is a loopback name");
    }
    return uri;
  }

  /**
   * Resolves {@code host} for a connection and checks every address it resolves to; the first one,
   * to connect to (the one checked: no second lookup that could answer otherwise).
   */
  public InetSocketAddress resolve(String host, int port)
      throws RefusedUrlException, UnknownHostException {
    String bare = stripBrackets(host);
    IPAddress literal = addressIn(bare);
    if (literal != null) {
      refuseIfBlocked(host, literal);
      return new InetSocketAddress(literal.toInetAddress(), port);
    }
    InetAddress[] all = lookup.addressesOf(bare);
    for (InetAddress a : all) {
      refuseIfBlocked(host, new IPAddressString(a.getHostAddress()).getAddress());
    }
    return new InetSocketAddress(all[0], port);
  }

  /** The host of {@code uri} without IPv6 brackets; for a URI Java read as registry-based, too. */
  private static String hostOf(URI uri) {
    String host = uri.getHost();
    if (host == null && uri.getRawAuthority() != null) {
      // e.g. http://0x7f.1/ : not a host Java's URI accepts, but a resolver would read it
      String authority = uri.getRawAuthority();
      int at = authority.lastIndexOf('@');
      host = authority.substring(at + 1);
      if (!host.startsWith("[")) {
        int colon = host.lastIndexOf(':');
        host = colon >= 0 ? host.substring(0, colon) : host;
      }
    }
    return host == null ? null : stripBrackets(host);
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** {@code host} read as an address the way a resolver would; null when it is a name. */
  static IPAddress addressIn(String host) {
    return new IPAddressString(host, ADDRESS_FORMS).getAddress();
  }

  private void refuseIfBlocked(String host, IPAddress address) throws RefusedUrlException {
    String why = blockedReason(address);
    if (why != null) {
      throw new RefusedUrlException(
          "host '"
              + host
              + "' is refused: "
              + address.withoutPrefixLength().toCanonicalString()
              + " is "
              + why
              + " (autoglm.notifier.allowed-networks lets chosen ones through)");
    }
  }

  /** Why {@code address} is refused, or null when it may be called. */
  String blockedReason(IPAddress address) {
    IPAddress a = address.withoutPrefixLength();
    for (IPAddress ok : allowed) {
      if (ok.contains(a)) {
        return null;
      }
    }
    // IPv4 carried inside IPv6 (mapped, compatible, 6to4, NAT64) is judged as that IPv4
    if (a instanceof IPv6Address v6) {
      IPAddress inner = null;
      if (v6.isIPv4Mapped() || v6.isIPv4Compatible() && !v6.isLoopback() && !v6.isUnspecified()) {
        inner = v6.getEmbeddedIPv4Address();
      } else if (v6.is6To4()) {
        inner = v6.get6To4IPv4Address();
      } else if (v6.isWellKnownIPv4Translatable()) {
        inner = v6.getEmbeddedIPv4Address();
      }
      if (inner != null) {
        String why = blockedReason(inner);
        return why == null ? null : "an IPv6 address carrying " + inner + ", " + why;
      }
    }
    for (Blocked b : BLOCKED) {
      if (b.network().getIPVersion() == a.getIPVersion() && b.network().contains(a)) {
        return b.what();
      }
    }
    return null;
  }
}
