package dev.cfnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Nothing leaks: descriptors return to their baseline after sockets, listeners, timers and loops come and go. */
class LifecycleContractTest extends BackendTestBase {

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(dev.cfnet.reliability.Resources.FD_DIR)) {
            return s.count();
        }
    }

    /** The descriptor count once it stops falling (the CF backend frees numbers 250 ms after a close). */
    static long stableFds() throws Exception {
        long last = openFds();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - stableSince < TimeUnit.MILLISECONDS.toNanos(400)) {
            Thread.sleep(50);
            long now = openFds();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }

    static void settle(long baseline) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (openFds() > baseline && System.nanoTime() < deadline) Thread.sleep(10);
    }

    @Test
    void noDescriptorLeaksAfterARunOfConnectionsAndLoops() throws Exception {
        assumeTrue(Files.isDirectory(dev.cfnet.reliability.Resources.FD_DIR),
                "needs /proc/self/fd or /dev/fd to count descriptors");
        // Warm up lazily opened descriptors (JDK internals, resolver threads) before taking the baseline.
        oneRound(loop, 2);
        RunLoop.start("warm", backend).close();
        long before = stableFds();
        for (int round = 0; round < 3; round++) {
            RunLoop l = RunLoop.start("leak-" + round, backend);
            oneRound(l, 20);
            l.schedule(Duration.ofHours(1), () -> { });
            l.close();
        }
        oneRound(loop, 20);
        settle(before);
        assertEquals(before, openFds(), "descriptors leaked");
    }

    /** A listener accepts n connections; each client sends and ends; everything is invalidated. */
    static void oneRound(RunLoop l, int n) throws Exception {
        CountDownLatch ended = new CountDownLatch(n);
        Socket listener = Socket.create(l, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(CallBackType.ACCEPT), (s, e) -> {
                    if (e instanceof SocketEvent.Accepted a) {
                        Socket.wrap(l, a.handle(), EnumSet.of(CallBackType.DATA), (c, d) -> {
                            if (d instanceof SocketEvent.Data data && data.isEmpty()) ended.countDown();
                        });
                    }
                });
        listener.setAddress(new InetSocketAddress(Peers.v4(), 0));
        InetSocketAddress at = listener.localAddress().orElseThrow();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Socket c = Socket.create(l, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT, CallBackType.WRITE), (s, e) -> {
                        if (e instanceof SocketEvent.Writable) {
                            s.send("x".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(1));
                            s.invalidate();
                            done.complete(null);
                        }
                    });
            c.connect(at, Duration.ZERO);
            done.get(10, TimeUnit.SECONDS);
        }
        assertTrue(ended.await(10, TimeUnit.SECONDS), "connections not ended: " + ended.getCount());
        listener.invalidate();
        l.submit(() -> null).get(5, TimeUnit.SECONDS);   // one more pass releases cancelled keys
    }

    @Test
    void backToBackConnectionsEachGetTheirBytes() throws Exception {
        // A socket closed and a new one opened at once reuse the descriptor number; CF's socket manager once took
        // the old socket's readiness for the new one and ended it. Every connection must live to echo.
        java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
        Socket listener = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(CallBackType.ACCEPT), (s, e) -> {
                    if (e instanceof SocketEvent.Accepted a) {
                        Socket.wrap(loop, a.handle(), EnumSet.of(CallBackType.DATA), (c, d) -> {
                            if (d instanceof SocketEvent.Data data && !data.isEmpty()) c.write(data.bytes());
                        });
                    }
                });
        listener.setAddress(new InetSocketAddress(Peers.v4(), 0));
        InetSocketAddress at = listener.localAddress().orElseThrow();
        for (int i = 0; i < 300; i++) {
            CompletableFuture<String> got = new CompletableFuture<>();
            Socket c = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT, CallBackType.DATA, CallBackType.WRITE), (s, e) -> {
                        switch (e) {
                            case SocketEvent.Writable w -> s.write(java.nio.ByteBuffer.wrap("ping".getBytes()));
                            case SocketEvent.Data d when d.isEmpty() -> got.complete("ended early");
                            case SocketEvent.Data d -> {
                                s.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                                s.invalidate();
                                got.complete(new String(d.toByteArray()));
                            }
                            default -> { }
                        }
                    });
            c.connect(at, Duration.ZERO);
            assertEquals("ping", got.get(10, TimeUnit.SECONDS), "connection " + i);
        }
        listener.invalidate();
    }

    @Test
    void sourceCountFollowsWhatIsScheduled() throws Exception {
        assertEquals(0, loop.sourceCount());
        Timer t = loop.schedule(Duration.ofHours(1), () -> { });
        Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.DATAGRAM,
                EnumSet.of(CallBackType.DATA), (x, e) -> { });
        assertEquals(2, loop.sourceCount());
        s.invalidate();
        t.invalidate();
        assertEquals(0, loop.sourceCount());
    }
}
