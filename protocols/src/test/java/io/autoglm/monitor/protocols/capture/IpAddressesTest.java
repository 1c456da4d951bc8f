package io.autoglm.monitor.protocols.capture;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class IpAddressesTest {

  @Test
  void acceptsLiteralsAndCanonicalisesIpv6PerRfc5952() {
    String[][] cases = {
      {"1.2.3.4", "1.2.3.4"},
      {"0.0.0.0", "0.0.0.0"},
      {"255.255.255.255", "255.255.255.255"},
      {"::", "::"},
      {"::1", "::1"},
      {"1::", "1::"},
      {"2001:db8::1", "2001:db8::1"},
      {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
      {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, // first of equal runs
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"}, // longest run
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // no :: for a single zero group
      {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
      {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
      {"fe80::a:B:c:D", "fe80::a:b:c:d"},
      {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
      {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
      {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
      {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], IpAddresses.canonical(c[0]), c[0]);
      assertTrue(IpAddresses.isValid(c[0]), c[0]);
      assertEquals(c[1], IpAddresses.canonical(c[1]), "canonical form is stable: " + c[1]);
    }
    String v4 = new String("10.1.2.3");
    assertSame(v4, IpAddresses.canonical(v4));
  }

  @Test
  void rejectsEverythingElseWithoutResolvingNames() {
    String[] bad = {
      null,
      "",
      " ",
      "localhost",
      "example.com",
      "1.2.3",
      "1.2.3.4.5",
      "1.2.3.",
      ".1.2.3",
      "256.0.0.1",
      "1.2.3.-4",
      "01.2.3.4",
      "1.02.3.4",
      "1..3.4",
      "1.2.3.4 ",
      " 1.2.3.4",
      "1.2.3.4/24",
      "0x1.2.3.4",
      "1e2.1.1.1",
      "4294967295",
      ":",
      ":::",
      "1:::2",
      "::1::",
      "1::2::3",
      ":1::",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8::",
      "12345::",
      "g::1",
      "[::1]",
      "fe80::1%eth0",
      "::ffff:256.1.1.1",
      "::ffff:1.2.3",
      "1:2:3:4:5:6:7:1.2.3.4",
      "1.2.3.4::",
      "::1.2.3.4:5",
      "2001:db8::1:",
      "١.٢.٣.٤",
    };
    for (String s : bad) {
      assertNull(IpAddresses.canonical(s), String.valueOf(s));
      assertFalse(IpAddresses.isValid(s), String.valueOf(s));
    }
  }
}
