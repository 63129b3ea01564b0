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
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static void settle(long baseline) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (openFds() > baseline && System.nanoTime() < deadline) Thread.sleep(10);
    }

    @Test
    void noDescriptorLeaksAfterARunOfConnectionsAndLoops() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd to count descriptors");
        // Warm up lazily opened descriptors (JDK internals, resolver threads) before taking the baseline.
        oneRound(loop, 2);
        RunLoop.start("warm", backend).close();
        Thread.sleep(50);
        long before = openFds();
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
