package dev.cfnet;

import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A literal port of the seed (CFSocket tutorial): resolve a name on the thread's own loop, create a socket for the
 * first address, connect, run the loop. With {@code ::1} first (as macOS resolves localhost) an INET socket meets an
 * IPv6 address; that must end in a clear error and a run that returns, never a hang.
 */
class SeedShapeContractTest extends BackendTestBase {

    /** A name that resolves as macOS resolves localhost: ::1 first, then 127.0.0.1. */
    String localhostIpv6First() {
        String n = "localhost-v6first-" + backend.name().toLowerCase(Locale.ROOT) + ".test";
        TestResolverProvider.map(n, List.of(Peers.v6(), Peers.v4()));
        return n;
    }

    @Test
    void aSocketCreatedButNeverConnectedKeepsRunGoingUntilInvalidated() {
        onOwnThread(l -> {
            Socket s = create(l);
            // A source from create() on, connected or not, on both backends.
            assertEquals(1, l.sourceCount());
            assertEquals(RunLoop.Result.TIMED_OUT, l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(100), false));
            l.schedule(Duration.ofMillis(50), s::invalidate);
            long t0 = System.nanoTime();
            assertEquals(RunLoop.Result.FINISHED, l.run(), "run() returns once the socket is invalidated");
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
            assertEquals(0, l.sourceCount());
        });
    }

    static Socket create(RunLoop l) {
        try {
            return Socket.create(l, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(CONNECT, DATA, WRITE),
                    (so, e) -> { });
        } catch (SocketErrorException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anIpv6AddressOnAnInetSocketIsACheckedErrorThatInvalidates() throws Exception {
        for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(5))) {
            Recorder r = new Recorder();
            Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(CONNECT, DATA),
                    r);
            SocketErrorException e = assertThrows(SocketErrorException.class,
                    () -> s.connect(new InetSocketAddress(Peers.v6(), 25), timeout));
            assertEquals(SocketError.Kind.ADDRESS_FAMILY_NOT_SUPPORTED, e.kind());
            assertTrue(e.getMessage().contains("IPv6") && e.getMessage().contains("INET6"), e.getMessage());
            assertFalse(s.isValid(), "the socket is invalidated, as after a failed waiting connect");
            assertEquals(0, loop.sourceCount());
            r.assertQuiet();
        }
    }

    @Test
    void theSeedsShapeWithIpv6FirstEndsInAClearErrorAndRunReturns() throws Exception {
        assumeTrue(Peers.ipv6Loopback(), "no IPv6 loopback on this machine");
        String host = localhostIpv6First();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        onOwnThread(l -> {
            l.setErrorHandler((lp, source, error) -> failures.add(error));
            // As the seed: the first address, an INET socket, a waiting connect, inside the resolution's callback.
            // The port of a naive caller turns the checked exception into an unchecked one.
            Host.resolve(l, host, result -> {
                InetAddress first = ((ResolveResult.Resolved) result).addresses().getFirst();
                Socket s = create(l);
                try {
                    s.connect(new InetSocketAddress(first, 25), Duration.ofSeconds(5));
                } catch (SocketErrorException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertEquals(RunLoop.Result.FINISHED, l.run(), "nothing is left to keep the loop running");
            assertEquals(0, l.sourceCount());
        });
        assertEquals(1, failures.size(), failures::toString);
        SocketErrorException e = assertInstanceOf(SocketErrorException.class, failures.getFirst().getCause());
        assertEquals(SocketError.Kind.ADDRESS_FAMILY_NOT_SUPPORTED, e.kind());
    }

    @Test
    void theSeedsShapeByNameConnectsWhicheverFamilyComesFirst() throws Exception {
        assumeTrue(Peers.ipv6Loopback(), "no IPv6 loopback on this machine");
        String host = localhostIpv6First();
        try (ServerSocket v4only = new ServerSocket(0, 5, Peers.v4())) {
            AtomicReference<ConnectResult> result = new AtomicReference<>();
            onOwnThread(l -> {
                Socket.connect(l, host, v4only.getLocalPort(), EnumSet.of(CONNECT, DATA, WRITE), (s, e) -> {
                    if (e instanceof SocketEvent.Writable) s.invalidate();   // the seed would write HELO here
                }, ConnectOptions.defaults(), result::set);
                assertEquals(RunLoop.Result.FINISHED, l.run());
            });
            ConnectResult.Connected c = assertInstanceOf(ConnectResult.Connected.class, result.get());
            assertEquals(2, c.attempts().size(), c.attempts()::toString);
            assertEquals(SocketError.Kind.CONNECTION_REFUSED, c.attempts().get(0).error().orElseThrow().kind());
            assertEquals(new InetSocketAddress(Peers.v4(), v4only.getLocalPort()), c.winner().address());
        }
    }
}
