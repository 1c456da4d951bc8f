package io.autoglm.monitor.notifier.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.autoglm.monitor.notifier.net.UrlGuard.RefusedUrlException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlGuardTest {
  private final UrlGuard strict = UrlGuard.strict();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1/hook | 127.0.0.1 is a loopback address",
        "http://127.1/hook | 127.0.0.1 is a loopback address",
        "http://2130706433/hook | 127.0.0.1 is a loopback address",
        "http://0x7f.1/hook | 127.0.0.1 is a loopback address",
        "http://0x7f000001/hook | 127.0.0.1 is a loopback address",
        "http://0177.0.0.1/hook | 127.0.0.1 is a loopback address",
        "http://[::1]:8080/hook | ::1 is a loopback address",
        "http://[::ffff:127.0.0.1]/hook | carrying 127.0.0.1, a loopback address",
        "http://[::ffff:7f00:1]/hook | carrying 127.0.0.1, a loopback address",
        "http://[2002:7f00:1::]/hook | carrying 127.0.0.1, a loopback address",
        "http://[64:ff9b::a9fe:a9fe]/hook | carrying 169.254.169.254, a link-local address (cloud metadata lives there)",
        "http://169.254.169.254/latest/meta-data | 169.254.169.254 is a link-local address (cloud metadata lives there)",
        "http://100.100.100.200/latest/meta-data | 100.100.100.200 is a shared (carrier-grade NAT) address",
        "http://[fd00:ec2::254]/latest | fd00:ec2::254 is a private (unique local) address",
        "http://[fe80::1]/hook | fe80::1 is a link-local address",
        "http://10.1.2.3/hook | 10.1.2.3 is a private address",
        "http://172.16.0.9/hook | 172.16.0.9 is a private address",
        "https://192.168.1.1/hook | 192.168.1.1 is a private address",
        "http://0.0.0.0/hook | 0.0.0.0 is an unspecified address",
        "http://[::]/hook | :: is an unspecified address",
        "http://255.255.255.255/hook | 255.255.255.255 is a reserved or broadcast address",
        "http://224.0.0.1/hook | 224.0.0.1 is a multicast address",
        "http://localhost:9093/hook | it is a loopback name",
        "http://api.localhost/hook | it is a loopback name",
        "file:///etc/passwd | scheme 'file' is refused: only http and https",
        "gopher://example.com/ | scheme 'gopher' is refused: only http and https",
        "//example.com/hook | scheme '' is refused: only http and https",
        "http:///hook | the URL has no host",
        "http://exa mple.com/ | not a URL",
      })
  void refusedWhenSaved(String url, String why) {
    RefusedUrlException e = assertThrows(RefusedUrlException.class, () -> strict.check(url));
    assertContains(e.getMessage(), why);
  }

  @Test
  void publicAddressesAndNamesPassWhenSaved() throws Exception {
    assertEquals("hooks.example.com", strict.check("https://hooks.example.com/a?b=c").getHost());
    strict.check("https://oapi.dingtalk.com/robot/send?access_token=x");
    strict.check("http://93.184.216.34:8080/hook");
    strict.check("http://[2606:4700::1111]/hook");
  }

  @Test
  void theAllowListLetsChosenNetworksThrough() throws Exception {
    UrlGuard tests = new UrlGuard(List.of("127.0.0.1/32", "10.20.0.0/16"));
    tests.check("http://127.0.0.1:8080/hook");
    tests.check("http://10.20.3.4/hook");
    RefusedUrlException e =
        assertThrows(RefusedUrlException.class, () -> tests.check("http://127.0.0.2/hook"));
    assertContains(e.getMessage(), "127.0.0.2 is a loopback address");
    assertThrows(RefusedUrlException.class, () -> tests.check("http://10.21.0.1/hook"));
    assertThrows(IllegalArgumentException.class, () -> new UrlGuard(List.of("not-a-net")));
  }

  @Test
  void namesAreCheckedAgainWhenResolved() throws Exception {
    // a name that resolves to loopback is refused when the connection is made
    RefusedUrlException e =
        assertThrows(RefusedUrlException.class, () -> strict.resolve("localhost", 80));
    assertContains(e.getMessage(), "is a loopback address");
    assertThrows(RefusedUrlException.class, () -> strict.resolve("0x7f.1", 80));
    assertThrows(RefusedUrlException.class, () -> strict.resolve("[::1]", 80));
    InetSocketAddress allowed = new UrlGuard(List.of("127.0.0.0/8")).resolve("localhost", 8080);
    assertEquals(8080, allowed.getPort());
    assertEquals(true, allowed.getAddress().isLoopbackAddress());
  }

  private static void assertContains(String message, String part) {
    if (!message.contains(part)) {
      throw new AssertionError("expected '" + part + "' in: " + message);
    }
  }
}
