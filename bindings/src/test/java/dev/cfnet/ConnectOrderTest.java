package dev.cfnet;

import static java.net.StandardProtocolFamily.INET;
import static java.net.StandardProtocolFamily.INET6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RFC 8305 section 4's address order, and the connect-by-name values, without a loop. */
class ConnectOrderTest {

    static InetAddress a(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> order(List<String> resolved, StandardProtocolFamily preferred, int count) {
        return HappyEyeballs.order(resolved.stream().map(ConnectOrderTest::a).toList(), 25, preferred, count)
                .stream().map(sa -> ConnectAttempt.display(sa)).toList();
    }

    static List<String> list(String... s) {
        return Arrays.asList(s);
    }

    @Test
    void familiesInterleavePreferredFirst() {
        List<String> resolved = list("192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8::1", "2001:db8::2");
        assertEquals(list("[2001:db8::1]:25", "192.0.2.1:25", "[2001:db8::2]:25", "192.0.2.2:25",
                "192.0.2.3:25"), order(resolved, INET6, 1));
        assertEquals(list("192.0.2.1:25", "[2001:db8::1]:25", "192.0.2.2:25", "[2001:db8::2]:25",
                "192.0.2.3:25"), order(resolved, INET, 1));
    }

    @Test
    void theFirstAddressFamilyCountLeadsThenTheyAlternate() {
        List<String> resolved = list("2001:db8::1", "2001:db8::2", "2001:db8::3", "192.0.2.1", "192.0.2.2");
        assertEquals(list("[2001:db8::1]:25", "[2001:db8::2]:25", "192.0.2.1:25",
                "[2001:db8::3]:25", "192.0.2.2:25"), order(resolved, INET6, 2));
        assertEquals(list("[2001:db8::1]:25", "[2001:db8::2]:25", "[2001:db8::3]:25",
                "192.0.2.1:25", "192.0.2.2:25"), order(resolved, INET6, 5));
    }

    @Test
    void oneFamilyKeepsTheResolversOrderAndDuplicatesGo() {
        assertEquals(list("192.0.2.2:25", "192.0.2.1:25"), order(list("192.0.2.2", "192.0.2.1", "192.0.2.2"),
                INET6, 1));
        assertEquals(list("[::1]:25"), order(list("::1"), INET, 1));
        assertEquals(List.of(), order(List.of(), INET6, 1));
    }

    @Test
    void ipv6AddressesShowAsRfc5952Writes() {
        assertEquals("::1", ConnectAttempt.compress(a("::1").getAddress()));
        assertEquals("::", ConnectAttempt.compress(new byte[16]));
        assertEquals("2001:db8::1:0:0:1", ConnectAttempt.compress(a("2001:db8:0:0:1:0:0:1").getAddress()));
        assertEquals("2001:db8:0:1:1:1:1:1", ConnectAttempt.compress(a("2001:db8:0:1:1:1:1:1").getAddress()));
        assertEquals("fe80::abcd", ConnectAttempt.compress(a("FE80::ABCD").getAddress()));
        assertEquals("1::", ConnectAttempt.compress(a("1::").getAddress()));
    }

    @Test
    void optionsRefuseWhatRfc8305Forbids() {
        ConnectOptions d = ConnectOptions.defaults();
        assertEquals(Duration.ofMillis(250), d.attemptDelay());
        assertEquals(INET6, d.preferredFamily());
        assertEquals(1, d.firstFamilyCount());
        assertEquals(Duration.ofMillis(10), d.withAttemptDelay(Duration.ofMillis(10)).attemptDelay());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.withAttemptDelay(Duration.ofMillis(9)));
        assertTrue(e.getMessage().contains("at least 10 ms"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.withTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withTimeout(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> d.withPreferredFamily(StandardProtocolFamily.UNIX));
        assertThrows(IllegalArgumentException.class, () -> d.withFirstFamilyCount(0));
        assertThrows(NullPointerException.class, () -> d.withAttemptDelay(null));
    }

    @Test
    void aFailureNamesEachAddressWithItsError() {
        InetSocketAddress v6 = new InetSocketAddress(a("::1"), 25);
        InetSocketAddress v4 = new InetSocketAddress(a("127.0.0.1"), 25);
        SocketError refused = SocketError.of(SocketError.Kind.CONNECTION_REFUSED);
        SocketError unreachable = SocketError.of(SocketError.Kind.NETWORK_UNREACHABLE);
        ConnectResult.Failed f = new ConnectResult.Failed("mail.test", 25,
                ConnectResult.Failed.Reason.ALL_ATTEMPTS_FAILED, Optional.empty(), List.of(v6, v4), List.of(
                new ConnectAttempt(v6, Duration.ZERO, Duration.ofMillis(1), ConnectAttempt.Outcome.FAILED,
                        Optional.of(unreachable)),
                new ConnectAttempt(v4, Duration.ofMillis(1), Duration.ofMillis(2), ConnectAttempt.Outcome.FAILED,
                        Optional.of(refused))), Duration.ofMillis(2));
        assertEquals("cannot connect to mail.test port 25: [::1]:25 " + unreachable + "; 127.0.0.1:25 "
                + refused, f.message());
        ConnectFailedException e = f.toException();
        assertEquals(f.message(), e.getMessage());
        assertEquals(f, e.failure());
        assertThrows(IllegalArgumentException.class, () -> new ConnectAttempt(v4, Duration.ZERO, Duration.ZERO,
                ConnectAttempt.Outcome.CONNECTED, Optional.of(refused)));
        assertThrows(IllegalArgumentException.class, () -> new ConnectResult.Failed("x.test", 25,
                ConnectResult.Failed.Reason.NOT_RESOLVED, Optional.empty(), List.of(), List.of(), Duration.ZERO));
    }
}
