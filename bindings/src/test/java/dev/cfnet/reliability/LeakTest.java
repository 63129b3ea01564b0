package dev.cfnet.reliability;

import static dev.cfnet.CallBackType.ACCEPT;
import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.Host;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing leaks: after many create, connect, exchange, invalidate cycles (and resolve, timer and execute cycles)
 * descriptors, threads, heap after GC, direct memory, the CF backend's ids, off-heap memory allocated from Java (NMT)
 * and malloc'd memory (CoreFoundation's objects among it) are back where they started.
 */
@Tag("reliability")
@Timeout(1800)
class LeakTest {
    static final int SLACK_THREADS = 6;   // resolver pool threads that have not timed out yet

    static java.util.List<Backend> backends() {
        return dev.cfnet.Backends.backends();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void connectionCyclesLeaveNothingBehind(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        int cycles = Scale.of(3_000, 100_000);
        // One loop throughout: what is measured is what cycles leave, not what a loop's thread holds (OpenCFLite
        // gives a thread's CFRunLoop back at its own pace).
        try (RunLoop loop = RunLoop.start("leak-" + backend, backend)) {
            runConnections(loop, 200);   // warm up: classes, JIT, lazily made pools
            long[] bytes = new long[1];
            Window w = window(loop, backend, () -> bytes[0] = runConnections(loop, cycles));
            System.out.printf("[leak] %s: %d connection cycles (%d bytes echoed) in %.1f s%n  before: %s%n  "
                    + "after:  %s%n", backend, cycles, bytes[0], w.seconds(), w.before(), w.after());
            assertNoLeak(w.before(), w.after());
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void resolveTimerAndExecuteCyclesLeaveNothingBehind(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        int cycles = Scale.of(5_000, 100_000);
        try (RunLoop loop = RunLoop.start("leak2-" + backend, backend)) {
            runOthers(loop, 200);
            Window w = window(loop, backend, () -> runOthers(loop, cycles));
            System.out.printf("[leak] %s: %d resolve/timer/execute cycles in %.1f s%n  before: %s%n  after:  %s%n",
                    backend, cycles, w.seconds(), w.before(), w.after());
            assertNoLeak(w.before(), w.after());
        }
    }

    @FunctionalInterface
    interface Cycles {
        void run() throws Exception;
    }

    record Window(Resources.Snapshot before, Resources.Snapshot after, double seconds) {
    }

    /**
     * The cycles between two snapshots. Where descriptors grew, the same cycles once more from there, and that
     * window is the one judged: a leak grows again, while something CoreFoundation makes once, lazily, does not
     * (OpenCFLite has made a kqueue, 4 descriptors, at an unforeseeable point of a run, once per process).
     */
    static Window window(RunLoop loop, Backend backend, Cycles cycles) throws Exception {
        Window w = null;
        for (int round = 0; round < 2 && (w == null || w.after().fds() > w.before().fds()); round++) {
            if (w != null) System.out.printf("[leak] %s: once more, after %s%n", backend, w.after().diff(w.before()));
            loop.submit(() -> null).get(10, TimeUnit.SECONDS);
            Resources.Snapshot before = Resources.snapshot();
            long t0 = System.nanoTime();
            cycles.run();
            double secs = (System.nanoTime() - t0) / 1e9;
            w = new Window(before, settle(loop, before), secs);
        }
        return w;
    }

    /**
     * Gives lingering pool threads, cancelled keys and the JIT's pooled malloc chunks (freed every 5 s) a moment,
     * and makes the loop pass once a round: a CF run loop lets go of what was invalidated on its next pass (an idle
     * OpenCFLite loop kept an invalidated timer's port, a kqueue of 4 descriptors, until then).
     */
    static Resources.Snapshot settle(RunLoop loop, Resources.Snapshot before) throws Exception {
        loop.submit(() -> null).get(10, TimeUnit.SECONDS);
        Resources.Snapshot after = Resources.snapshot();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((after.fds() > before.fds() || after.threads() > before.threads()
                || after.nativeOther() > before.nativeOther() + NATIVE_SLACK
                || after.mallocInUse() > before.mallocInUse() + MALLOC_SLACK) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            loop.submit(() -> null).get(10, TimeUnit.SECONDS);
            after = Resources.snapshot();
        }
        return after;
    }

    static void assertNoLeak(Resources.Snapshot before, Resources.Snapshot after) {
        assertEquals(before.fds(), after.fds(), () -> "file descriptors: " + after.diff(before));
        assertTrue(after.threads() <= before.threads() + SLACK_THREADS, "threads: " + before + " -> " + after);
        assertTrue(after.heapAfterGc() < before.heapAfterGc() + 2 * 1048576L, "heap: " + before + " -> " + after);
        assertTrue(after.directBytes() <= before.directBytes() + 2 * 1048576L, "direct memory: " + before + " -> "
                + after);
        assertEquals(before.cfIds(), after.cfIds(), "ids handed to CoreFoundation and not given back");
        if (before.nativeOther() >= 0 && after.nativeOther() >= 0) {
            assertTrue(after.nativeOther() <= before.nativeOther() + NATIVE_SLACK, "off-heap memory from Java (NMT "
                    + "other): " + before + " -> " + after);
        }
        if (before.mallocInUse() >= 0 && after.mallocInUse() >= 0) {
            assertTrue(after.mallocInUse() <= before.mallocInUse() + MALLOC_SLACK, "malloc in use: " + before
                    + " -> " + after);
        }
    }

    // 1 MiB over 100,000 cycles catches 11 bytes a cycle; malloc also moves with the JIT and GC, hence its margin.
    static final long NATIVE_SLACK = 1L << 20;
    static final long MALLOC_SLACK = 16L << 20;

    /** Cycles with up to 16 in flight: connect to a cfnet listener, send 32 bytes, get them echoed, invalidate. */
    static long runConnections(RunLoop loop, int cycles) throws Exception {
        AtomicLong echoed = new AtomicLong();
        Socket listener = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(ACCEPT),
                (l, e) -> {
                    if (e instanceof SocketEvent.Accepted a) {
                        Socket.wrap(loop, a.handle(), EnumSet.of(DATA), (c, d) -> {
                            if (d instanceof SocketEvent.Data data && !data.isEmpty()) {
                                echoed.addAndGet(c.write(data.bytes()));
                            }
                        });
                    }
                });
        listener.setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress at = listener.localAddress().orElseThrow();
        Semaphore window = new Semaphore(16);
        CountDownLatch done = new CountDownLatch(cycles);
        byte[] message = new byte[32];
        for (int i = 0; i < cycles; i++) {
            assertTrue(window.tryAcquire(60, TimeUnit.SECONDS), "a cycle did not finish in 60 s; done "
                    + (cycles - done.getCount()) + " of " + cycles);
            Socket c = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, DATA, WRITE), (s, e) -> {
                        switch (e) {
                            case SocketEvent.Connected con when con.failed() -> {
                                s.invalidate();
                                throw new AssertionError("connect failed: " + con.error());
                            }
                            case SocketEvent.Writable w -> s.write(ByteBuffer.wrap(message));
                            case SocketEvent.Data d when !d.isEmpty() -> {
                                // The abortive close leaves no TIME_WAIT: 100,000 cycles would run out of ports.
                                s.setOption(StandardSocketOptions.SO_LINGER, 0);
                                s.invalidate();
                                window.release();
                                done.countDown();
                            }
                            default -> { }
                        }
                    });
            c.connect(at, Duration.ZERO);
        }
        assertTrue(done.await(20, TimeUnit.MINUTES), "cycles left: " + done.getCount());
        listener.invalidate();
        loop.submit(() -> null).get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (loop.sourceCount() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(0, loop.sourceCount(), "sockets left on the loop");
        return echoed.get();
    }

    /** Resolutions of a literal and a name, one-shot timers, invalidated timers and tasks, 64 in flight. */
    static void runOthers(RunLoop loop, int cycles) throws Exception {
        Semaphore window = new Semaphore(64);
        CountDownLatch done = new CountDownLatch(cycles);
        for (int i = 0; i < cycles; i++) {
            assertTrue(window.tryAcquire(60, TimeUnit.SECONDS), "a cycle did not finish in 60 s; done "
                    + (cycles - done.getCount()) + " of " + cycles);
            CountDownLatch parts = new CountDownLatch(3);
            Runnable part = () -> {
                parts.countDown();
                if (parts.getCount() == 0) {
                    window.release();
                    done.countDown();
                }
            };
            Host.resolve(loop, (i & 1) == 0 ? "127.0.0.1" : "localhost", r -> part.run());
            loop.schedule(Duration.ofMillis(i % 3), part);
            Timer never = loop.schedule(Duration.ofHours(1), () -> { });
            never.invalidate();
            loop.execute(part);
        }
        assertTrue(done.await(20, TimeUnit.MINUTES), "cycles left: " + done.getCount());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (loop.sourceCount() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(0, loop.sourceCount(), "sources left on the loop");
    }
}
