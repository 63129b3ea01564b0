package dev.cfnet.reliability;

import static dev.cfnet.CallBackType.ACCEPT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.ConnectOptions;
import dev.cfnet.ConnectResult;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import dev.cfnet.TestResolverProvider;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Connects by name thousands of times, 32 at a time, each through an IPv6 address that refuses and then an IPv4 one
 * that accepts: every connect succeeds, and afterwards no descriptor, socket or timer is left.
 */
@Tag("reliability")
@Timeout(1800)
class ConnectByNameScaleTest {

    static List<Backend> backends() {
        return dev.cfnet.Backends.backends();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void thousandsOfConnectsByNameLeaveNoDescriptorBehind(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd to count descriptors");
        int connects = 10_000;   // about 1 to 5 s on a 2-core VM: the same in make test and make test-reliability
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        try (RunLoop server = RunLoop.start("by-name-server-" + backend, backend);
             RunLoop loop = RunLoop.start("by-name-" + backend, backend)) {
            Socket listener = Socket.create(server, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(ACCEPT), (s, e) -> {
                        if (e instanceof SocketEvent.Accepted a) {
                            accepted.incrementAndGet();
                            Socket.wrap(server, a.handle(), EnumSet.of(DATA), (c, d) -> {
                                if (d instanceof SocketEvent.Data data && data.isEmpty()) ended.incrementAndGet();
                            });
                        }
                    });
            listener.setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = listener.localAddress().orElseThrow().getPort();
            List<InetAddress> addresses = new ArrayList<>();
            if (refusedOnIpv6(port)) addresses.add(InetAddress.getByName("::1"));
            addresses.add(InetAddress.getLoopbackAddress());
            String name = "scale-by-name-" + backend.name().toLowerCase(Locale.ROOT) + ".test";
            TestResolverProvider.map(name, addresses);

            run(loop, name, port, 50);   // warm up: resolver threads, JDK caches, lazily opened descriptors
            long before = Resources.stableFds();
            long t0 = System.nanoTime();
            List<String> problems = run(loop, name, port, connects);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(List.of(), problems.subList(0, Math.min(5, problems.size())), problems.size() + " failed");
            // The server's loop accepts and sees each end on its own time.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((accepted.get() < connects + 50 || ended.get() < accepted.get()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(connects + 50, accepted.get(), "one connection per connect");
            assertEquals(accepted.get(), ended.get(), "every connection the server accepted ended");
            assertEquals(0, loop.sourceCount(), "no attempt, timer or socket left on the client's loop");
            server.submit(() -> null).get(5, TimeUnit.SECONDS);
            assertEquals(1, server.sourceCount(), "the listener only");
            long after = Resources.stableFds();
            assertTrue(after <= before, "descriptors: " + before + " before, " + after + " after " + connects
                    + " connects by name");
            System.out.printf(Locale.ROOT, "[connect-by-name] %s: %d connects by name in %.1f s (%.0f per s) to %s, "
                    + "descriptors %d before, %d after%n", backend, connects, seconds, connects / seconds,
                    addresses.stream().map(InetAddress::getHostAddress).toList(), before, after);
            listener.invalidate();
        }
    }

    /** Connects {@code n} times, 32 at a time; each winner is invalidated at once. Returns what failed. */
    static List<String> run(RunLoop loop, String name, int port, int n) throws InterruptedException {
        Semaphore window = new Semaphore(32);
        CountDownLatch done = new CountDownLatch(n);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < n; i++) {
            window.acquire();
            Socket.connect(loop, name, port, EnumSet.of(DATA, WRITE), (s, e) -> { }, ConnectOptions.defaults(), r -> {
                switch (r) {
                    case ConnectResult.Connected c -> c.socket().invalidate();
                    case ConnectResult.Failed f -> problems.add(f.message());
                }
                window.release();
                done.countDown();
            });
        }
        assertTrue(done.await(10, TimeUnit.MINUTES), "connects still pending: " + done.getCount());
        return new ArrayList<>(problems);
    }

    /** True when ::1 refuses {@code port} (nothing listens there), so that every connect falls through it. */
    static boolean refusedOnIpv6(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName("::1"), port), 2_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (Exception other) {
            return false;
        }
    }
}
