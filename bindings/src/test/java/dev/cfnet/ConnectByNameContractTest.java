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

import dev.cfnet.ConnectAttempt.Outcome;
import dev.cfnet.ConnectResult.Failed.Reason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Connect by name (RFC 8305, Happy Eyeballs v2) on loopback: names map to chosen loopback addresses through the test
 * resolver, "black holes" are listeners whose full accept queue makes the kernel drop SYNs (as a firewall's DROP).
 */
class ConnectByNameContractTest extends BackendTestBase {
    static final AtomicInteger NAMES = new AtomicInteger();
    static final Set<CallBackType> SEED = EnumSet.of(CONNECT, DATA, WRITE);

    /** A fresh *.test name (the JDK caches answers) resolving to {@code addresses}, in that order. */
    String name(String what, InetAddress... addresses) {
        String n = what + "-" + backend.name().toLowerCase(Locale.ROOT) + "-" + NAMES.incrementAndGet() + ".test";
        TestResolverProvider.map(n, List.of(addresses));
        return n;
    }

    /** The result, checked to arrive on the loop thread. */
    ConnectResult connect(String host, int port, Set<CallBackType> types, SocketHandler handler, ConnectOptions o)
            throws Exception {
        CompletableFuture<ConnectResult> f = new CompletableFuture<>();
        Socket.connect(loop, host, port, types, handler, o, r -> {
            if (!loop.inLoopThread()) f.completeExceptionally(new AssertionError("result off the loop thread"));
            f.complete(r);
        });
        ConnectResult r = f.get(20, TimeUnit.SECONDS);
        if (r instanceof ConnectResult.Connected c) closeLater(c.socket());
        return r;
    }

    ServerSocket[] dualStack(int v4Backlog, int v6Backlog) throws IOException {
        assumeTrue(Peers.ipv6Loopback(), "no IPv6 loopback on this machine");
        ServerSocket[] pair = Peers.dualStack(v4Backlog, v6Backlog);
        assumeTrue(pair != null, "no port free on both 127.0.0.1 and ::1");
        closeLater(pair[0]);
        closeLater(pair[1]);
        return pair;
    }

    /** Drops SYNs to {@code listener} (made with backlog 1) until the test ends; skips where the kernel does not. */
    void blackHole(ServerSocket listener) {
        List<java.net.Socket> fill = Peers.blackHole(listener);
        assumeTrue(fill != null, "this kernel answers SYNs to a full accept queue: no loopback black hole");
        closeLater(() -> Peers.closeAll(fill));
    }

    static InetSocketAddress at(InetAddress a, int port) {
        return new InetSocketAddress(a, port);
    }

    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    // ---- the algorithm -------------------------------------------------------------------------------------------

    @Test
    void withBothFamiliesAnsweringIpv6WinsAndIpv4IsNeverTried() throws Exception {
        ServerSocket[] pair = dualStack(50, 50);
        int port = pair[0].getLocalPort();
        String host = name("both", Peers.v4(), Peers.v6());   // the resolver gives IPv4 first; IPv6 is preferred
        Recorder r = new Recorder();
        ConnectResult.Connected c = assertInstanceOf(ConnectResult.Connected.class,
                connect(host, port, SEED, r, ConnectOptions.defaults()));
        assertEquals(List.of(at(Peers.v6(), port), at(Peers.v4(), port)), c.addresses());
        assertEquals(1, c.attempts().size(), () -> "connected within the attempt delay: " + c.attempts());
        assertEquals(at(Peers.v6(), port), c.winner().address());
        Socket s = c.socket();
        assertEquals(StandardProtocolFamily.INET6, s.family());
        assertEquals(at(Peers.v6(), port), s.peerAddress().orElseThrow());
        assertTrue(r.next(SocketEvent.Connected.class).succeeded());
        r.next(SocketEvent.Writable.class);
        pair[0].setSoTimeout(400);
        assertThrows(SocketTimeoutException.class, pair[0]::accept, "no connection ever reached IPv4");
        assertEquals(1, loop.sourceCount(), "the winner only: no timer and no other attempt left");
    }

    @Test
    void aBlackHoledIpv6AttemptIsAbandonedOnceIpv4ConnectsAfterTheAttemptDelay() throws Exception {
        ServerSocket[] pair = dualStack(50, 1);
        blackHole(pair[1]);
        int port = pair[0].getLocalPort();
        String host = name("v6hole", Peers.v6(), Peers.v4());
        Recorder r = new Recorder();
        ConnectOptions o = ConnectOptions.defaults();
        ConnectResult.Connected c = assertInstanceOf(ConnectResult.Connected.class,
                connect(host, port, EnumSet.of(DATA, WRITE), r, o));
        List<ConnectAttempt> a = c.attempts();
        assertEquals(2, a.size(), a::toString);
        assertEquals(at(Peers.v6(), port), a.get(0).address());
        assertEquals(Outcome.ABANDONED, a.get(0).outcome(), a::toString);
        assertEquals(at(Peers.v4(), port), a.get(1).address());
        assertEquals(Outcome.CONNECTED, a.get(1).outcome(), a::toString);
        double started = ms(a.get(1).started());
        double took = ms(c.elapsed());
        // The second attempt waits for the attempt delay, not for a connect timeout (30 s here, minutes for the OS);
        // the upper bound leaves a loaded 2-core machine 1.75 s of slack.
        assertTrue(started >= 249, () -> "IPv4 started after " + started + " ms, before the 250 ms delay");
        assertTrue(took < 2_000, () -> "connected after " + took + " ms; expected about 250 ms");
        System.out.printf(Locale.ROOT, "[happy-eyeballs] %s loopback, IPv6 SYNs dropped: connected over IPv4 in "
                + "%.1f ms (IPv4 attempt started at %.1f ms)%n", backend, took, started);
        r.next(SocketEvent.Writable.class);   // no CONNECT: not asked for
        assertEquals(EnumSet.of(DATA, WRITE), c.socket().callBackTypes());
        assertEquals(1, loop.sourceCount(), "the IPv6 attempt was invalidated");
        eventually(() -> synSentQuietly(port) == 0, "no connection attempt left in SYN-SENT");
        r.assertQuiet();
        assertTrue(r.all.stream().allMatch(ev -> ev.socket() == c.socket()), () -> "a loser's event: " + r.all);
    }

    @Test
    void aRefusedIpv6AttemptStartsIpv4AtOnce() throws Exception {
        ServerSocket[] pair = dualStack(50, 50);
        int port = pair[0].getLocalPort();
        pair[1].close();   // ::1 refuses
        String host = name("v6refused", Peers.v6(), Peers.v4());
        ConnectOptions o = ConnectOptions.defaults().withAttemptDelay(Duration.ofSeconds(5));
        ConnectResult.Connected c = assertInstanceOf(ConnectResult.Connected.class,
                connect(host, port, SEED, new Recorder(), o));
        List<ConnectAttempt> a = c.attempts();
        assertEquals(2, a.size(), a::toString);
        assertEquals(Outcome.FAILED, a.get(0).outcome());
        assertEquals(SocketError.Kind.CONNECTION_REFUSED, a.get(0).error().orElseThrow().kind());
        assertEquals(Outcome.CONNECTED, a.get(1).outcome());
        assertTrue(ms(a.get(1).started()) < 2_500, () -> "IPv4 waited for the 5 s delay: " + a);
        assertEquals(at(Peers.v4(), port), c.socket().peerAddress().orElseThrow());
    }

    @Test
    void whenEveryAddressIsRefusedOneErrorNamesEachWithItsOwn() throws Exception {
        ServerSocket[] pair = dualStack(50, 50);
        int port = pair[0].getLocalPort();
        pair[0].close();
        pair[1].close();
        String host = name("refused", Peers.v6(), Peers.v4());
        Recorder r = new Recorder();
        ConnectResult.Failed f = assertInstanceOf(ConnectResult.Failed.class,
                connect(host, port, SEED, r, ConnectOptions.defaults()));
        assertEquals(Reason.ALL_ATTEMPTS_FAILED, f.reason());
        assertEquals(List.of(at(Peers.v6(), port), at(Peers.v4(), port)),
                f.attempts().stream().map(ConnectAttempt::address).toList());
        for (ConnectAttempt a : f.attempts()) {
            assertEquals(Outcome.FAILED, a.outcome());
            assertEquals(SocketError.Kind.CONNECTION_REFUSED, a.error().orElseThrow().kind());
        }
        String m = f.message();
        assertTrue(m.startsWith("cannot connect to " + host + " port " + port + ": [::1]:" + port + " "), m);
        assertTrue(m.contains("; 127.0.0.1:" + port + " "), m);
        assertEquals(2, m.split("CONNECTION_REFUSED", -1).length - 1, m);
        assertEquals(0, loop.sourceCount());
        r.assertQuiet();

        ExecutionException e = assertThrows(ExecutionException.class, () -> Socket.connectAsync(loop, host, port,
                SEED, r, ConnectOptions.defaults()).get(20, TimeUnit.SECONDS));
        ConnectFailedException cfe = assertInstanceOf(ConnectFailedException.class, e.getCause());
        assertEquals(Reason.ALL_ATTEMPTS_FAILED, cfe.failure().reason());
        assertEquals(2, cfe.failure().attempts().size());
        assertEquals(cfe.failure().message(), cfe.getMessage());
    }

    @Test
    void theTotalTimeoutBoundsTheAttempts() throws Exception {
        ServerSocket hole = closeLater(new ServerSocket(0, 1, Peers.v4()));
        blackHole(hole);
        Recorder r = new Recorder();
        ConnectOptions o = ConnectOptions.defaults().withTimeout(Duration.ofMillis(300));
        ConnectResult.Failed f = assertInstanceOf(ConnectResult.Failed.class,
                connect("127.0.0.1", hole.getLocalPort(), SEED, r, o));
        assertEquals(Reason.TIMED_OUT, f.reason());
        assertEquals(1, f.attempts().size());
        assertEquals(SocketError.Kind.TIMED_OUT, f.attempts().getFirst().error().orElseThrow().kind());
        assertTrue(ms(f.elapsed()) >= 299 && ms(f.elapsed()) < 5_000, () -> "gave up after " + f.elapsed());
        assertTrue(f.message().contains("no connection within"), f.message());
        assertEquals(0, loop.sourceCount());
        eventually(() -> synSentQuietly(hole.getLocalPort()) == 0, "the attempt's socket is closed");
        r.assertQuiet();
    }

    @Test
    void theTotalTimeoutBoundsTheResolutionToo() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        TestResolverProvider.slowGate = gate;
        try {
            ConnectOptions o = ConnectOptions.defaults().withTimeout(Duration.ofMillis(200));
            String host = "slow-timeout-" + backend.name().toLowerCase(Locale.ROOT) + "-" + NAMES.incrementAndGet()
                    + ".test";
            ConnectResult.Failed f = assertInstanceOf(ConnectResult.Failed.class,
                    connect(host, 25, SEED, new Recorder(), o));
            assertEquals(Reason.TIMED_OUT, f.reason());
            assertEquals(List.of(), f.attempts());
            assertEquals(List.of(), f.addresses());
            assertTrue(f.message().contains("still resolving"), f.message());
            assertEquals(0, loop.sourceCount(), "the resolution was cancelled");
        } finally {
            gate.countDown();
        }
    }

    @Test
    void aNameThatDoesNotResolveFailsWithTheResolversError() throws Exception {
        ConnectResult.Failed f = assertInstanceOf(ConnectResult.Failed.class,
                connect("nonexistent-connect.test", 25, SEED, new Recorder(), ConnectOptions.defaults()));
        assertEquals(Reason.NOT_RESOLVED, f.reason());
        assertEquals(ResolveError.Kind.NOT_FOUND, f.resolveError().orElseThrow().kind());
        assertTrue(f.message().contains("did not resolve"), f.message());
        assertEquals(0, loop.sourceCount());
    }

    // ---- cancel --------------------------------------------------------------------------------------------------

    @Test
    void cancelWhileResolvingLeavesNothingAndNoResult() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        TestResolverProvider.slowGate = gate;
        List<ConnectResult> results = new CopyOnWriteArrayList<>();
        try {
            String host = "slow-cancel-" + backend.name().toLowerCase(Locale.ROOT) + "-" + NAMES.incrementAndGet()
                    + ".test";
            Connecting c = Socket.connect(loop, host, 25, SEED, new Recorder(), ConnectOptions.defaults(),
                    results::add);
            assertTrue(c.isPending());
            assertEquals(2, loop.sourceCount(), "the resolution and the deadline");
            assertTrue(c.cancel());
            assertFalse(c.isPending());
            assertFalse(c.isValid());
            assertEquals(0, loop.sourceCount());
            assertFalse(c.cancel(), "a second cancel has nothing to do");
        } finally {
            gate.countDown();
        }
        Thread.sleep(300);
        assertEquals(List.of(), results);
    }

    @Test
    void cancelWhileAttemptingLeavesNoSocketTimerOrDescriptor() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd to count descriptors");
        ServerSocket[] pair = dualStack(1, 1);
        blackHole(pair[0]);
        blackHole(pair[1]);
        int port = pair[0].getLocalPort();
        String host = name("cancel", Peers.v6(), Peers.v4());
        long before = LifecycleContractTest.stableFds();
        List<ConnectResult> results = new CopyOnWriteArrayList<>();
        Recorder r = new Recorder();
        ConnectOptions o = ConnectOptions.defaults().withAttemptDelay(Duration.ofMillis(20));
        Connecting c = Socket.connect(loop, host, port, SEED, r, o, results::add);
        eventually(() -> loop.sourceCount() == 3, "both attempts under way beside the deadline (sources "
                + loop.sourceCount() + ")");
        eventually(() -> synSentQuietly(port) == 2, "two attempts in SYN-SENT");
        assertTrue(c.cancel());
        assertEquals(0, loop.sourceCount());
        // NIO closes a registered channel's descriptor at the selector's next pass
        eventually(() -> synSentQuietly(port) == 0, "the attempts' sockets are closed");
        LifecycleContractTest.settle(before);
        long after = LifecycleContractTest.openFds();
        assertTrue(after <= before, () -> "descriptors left behind: " + before + " before, " + after + " after");
        Thread.sleep(300);
        assertEquals(List.of(), results);
        r.assertQuiet(Duration.ZERO);
    }

    @Test
    void cancelRightAfterStartingALiteralLeavesNothing() throws Exception {
        ServerSocket hole = closeLater(new ServerSocket(0, 1, Peers.v4()));
        blackHole(hole);
        List<ConnectResult> results = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            Connecting c = Socket.connect(loop, "127.0.0.1", hole.getLocalPort(), SEED, new Recorder(),
                    ConnectOptions.defaults(), results::add);
            assertTrue(c.cancel());
            assertEquals(0, loop.sourceCount());
        }
        loop.submit(() -> null).get(5, TimeUnit.SECONDS);   // the start tasks ran, and did nothing
        assertEquals(0, loop.sourceCount());
        eventually(() -> synSentQuietly(hole.getLocalPort()) == 0, "no attempt left");
        assertEquals(List.of(), results);
    }

    @Test
    void cancelAfterTheResultLeavesTheWinnerAlone() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            CompletableFuture<ConnectResult> f = new CompletableFuture<>();
            Connecting c = Socket.connect(loop, "127.0.0.1", server.address().getPort(), SEED,
                    new Recorder(), ConnectOptions.defaults(), f::complete);
            ConnectResult.Connected ok = assertInstanceOf(ConnectResult.Connected.class, f.get(10, TimeUnit.SECONDS));
            closeLater(ok.socket());
            assertFalse(c.cancel());
            assertTrue(ok.socket().isValid());
        }
    }

    @Test
    void cancellingTheFutureCancelsTheConnect() throws Exception {
        ServerSocket hole = closeLater(new ServerSocket(0, 1, Peers.v4()));
        blackHole(hole);
        CompletableFuture<Socket> f = Socket.connectAsync(loop, "127.0.0.1", hole.getLocalPort(), SEED,
                new Recorder(), ConnectOptions.defaults());
        eventually(() -> loop.sourceCount() == 2, "the attempt under way beside the deadline");
        assertTrue(f.cancel(true));
        assertThrows(CancellationException.class, f::join);
        assertEquals(0, loop.sourceCount());
        eventually(() -> synSentQuietly(hole.getLocalPort()) == 0, "no attempt left");
    }

    // ---- literals and the winner -----------------------------------------------------------------------------------

    @Test
    void literalsSkipResolutionEvenWhenTheResolverIsBusy() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        TestResolverProvider.slowGate = gate;
        List<Host.Resolution> busy = new ArrayList<>();
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            // Keep every resolver thread waiting (on the CF backend off macOS and on NIO, names resolve on a small
            // pool); a literal sent through the resolver would wait behind them, for up to 10 s.
            for (int i = 0; i < 8; i++) {
                busy.add(Host.resolve(loop, "slow-busy-" + i + "-" + NAMES.incrementAndGet() + ".test", x -> { }));
            }
            long t0 = System.nanoTime();
            Socket s = Socket.connectAsync(loop, "127.0.0.1", server.address().getPort(), SEED, new Recorder(),
                    ConnectOptions.defaults()).get(5, TimeUnit.SECONDS);
            closeLater(s);
            assertTrue(gate.getCount() == 1 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            assertEquals(server.address(), s.peerAddress().orElseThrow());
            if (Peers.ipv6Loopback()) {
                try (ServerSocket v6 = new ServerSocket(0, 5, Peers.v6())) {
                    Socket s6 = Socket.connectAsync(loop, "[::1]", v6.getLocalPort(), SEED, new Recorder(),
                            ConnectOptions.defaults()).get(5, TimeUnit.SECONDS);
                    assertEquals(StandardProtocolFamily.INET6, s6.family());
                    s6.invalidate();
                }
            }
        } finally {
            gate.countDown();
            busy.forEach(Host.Resolution::cancel);
        }
    }

    @Test
    void theWinnerIsAnOrdinarySocketWithTheCallersCallbacksAndHandler() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            List<String> order = new CopyOnWriteArrayList<>();
            Recorder r = new Recorder((s, e) -> order.add(e.type().name()));
            CompletableFuture<ConnectResult> f = new CompletableFuture<>();
            String host = name("winner", Peers.v4());
            Socket.connect(loop, host, server.address().getPort(), SEED, r, ConnectOptions.defaults(), res -> {
                order.add("done");
                f.complete(res);
            });
            Socket s = closeLater(assertInstanceOf(ConnectResult.Connected.class, f.get(10, TimeUnit.SECONDS))
                    .socket());
            assertEquals(SEED, s.callBackTypes());
            assertTrue(r.next(SocketEvent.Connected.class).succeeded());
            r.next(SocketEvent.Writable.class);
            eventually(() -> order.size() >= 3, "the handler ran for WRITE");   // it runs after the recording
            assertEquals(List.of("done", "CONNECT", "WRITE"), order, "the result, then CONNECT once, then WRITE");
            Peers.write(server.peer(), "220 hello\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("220 hello\r\n", new String(r.readData(11), StandardCharsets.US_ASCII));
            s.write(java.nio.ByteBuffer.wrap("QUIT\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("QUIT\r\n", new String(Peers.readN(server.peer().getInputStream(), 6),
                    StandardCharsets.US_ASCII));
            assertTrue(r.all.stream().allMatch(ev -> ev.socket() == s));
            assertEquals(1, r.all.stream().filter(ev -> ev.type() == CONNECT).count());
        }
    }

    @Test
    void withoutConnectAskedForTheWinnerNeverReportsIt() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = closeLater(Socket.connectAsync(loop, "127.0.0.1", server.address().getPort(),
                    EnumSet.of(DATA, WRITE), r, ConnectOptions.defaults()).get(10, TimeUnit.SECONDS));
            assertEquals(EnumSet.of(DATA, WRITE), s.callBackTypes());
            r.next(SocketEvent.Writable.class);
            assertThrows(IllegalArgumentException.class, () -> s.enableCallBacks(CONNECT));
            r.assertQuiet();
        }
    }

    @Test
    void whatDoneThrowsGoesToTheLoopsHandlerAndTheWinnerStays() throws Exception {
        List<RunLoopSource> failed = new CopyOnWriteArrayList<>();
        loop.setErrorHandler((l, source, error) -> failed.add(source));
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            CompletableFuture<Socket> winner = new CompletableFuture<>();
            Connecting c = Socket.connect(loop, "127.0.0.1", server.address().getPort(), SEED,
                    new Recorder(), ConnectOptions.defaults(), res -> {
                        winner.complete(((ConnectResult.Connected) res).socket());
                        throw new IllegalStateException("done threw on purpose");
                    });
            Socket s = closeLater(winner.get(10, TimeUnit.SECONDS));
            eventually(() -> !failed.isEmpty(), "the error handler was called");
            assertEquals(List.of(c), failed);
            assertTrue(s.isValid());
        }
    }

    @Test
    void badArgumentsAreRefusedClearly() {
        ConnectOptions d = ConnectOptions.defaults();
        SocketHandler h = (s, e) -> { };
        assertThrows(IllegalArgumentException.class, () -> Socket.connect(loop, "x.test", 0, SEED, h, d, r -> { }));
        assertThrows(IllegalArgumentException.class, () -> Socket.connect(loop, "x.test", 65536, SEED, h, d,
                r -> { }));
        assertThrows(IllegalArgumentException.class, () -> Socket.connect(loop, "", 25, SEED, h, d, r -> { }));
        assertThrows(IllegalArgumentException.class, () -> Socket.connect(loop, "a b", 25, SEED, h, d, r -> { }));
        IllegalArgumentException accept = assertThrows(IllegalArgumentException.class, () -> Socket.connect(loop,
                "x.test", 25, EnumSet.of(CallBackType.ACCEPT), h, d, r -> { }));
        assertTrue(accept.getMessage().contains("ACCEPT"), accept.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Socket.connect(loop, "x.test", 25,
                EnumSet.of(CallBackType.READ, DATA), h, d, r -> { }));
        assertThrows(NullPointerException.class, () -> Socket.connect(loop, "x.test", 25, SEED, h, d, null));
        assertThrows(NullPointerException.class, () -> Socket.connect(loop, "x.test", 25, SEED, h, null, r -> { }));
        assertEquals(0, loop.sourceCount(), "nothing started");
        RunLoop closed = RunLoop.start("closed", backend);
        closed.close();
        assertThrows(IllegalStateException.class, () -> Socket.connect(closed, "x.test", 25, SEED, h, d, r -> { }));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /**
     * This process's TCP sockets in SYN-SENT towards {@code port} (Linux: /proc/net/tcp and tcp6); 0 where there is
     * no /proc.
     */
    static int synSentQuietly(int port) {
        try {
            return synSent(port);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int synSent(int port) throws IOException {
        int n = 0;
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(file);
            if (!Files.exists(p)) continue;
            for (String line : Files.readAllLines(p)) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 3 && f[2].endsWith(hexPort) && f[3].equals("02")) n++;
            }
        }
        return n;
    }
}
