package dev.cfnet.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.CallBackType;
import dev.cfnet.Host;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import dev.cfnet.cf.ffi.CF;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ownership on a real CoreFoundation: every info id CF was given comes back through a context release, every
 * CFRetain has its CFRelease, a closed loop gives back its stubs. Skips where no CoreFoundation loads.
 *
 * <p>OpenCFLite leaks one reference to the run loop on every run with a positive timeout (its timeout context is
 * released only by libdispatch, which it lacks). The tests measure that leak with raw CF calls first and expect
 * cfnet's own count on top of it; on Apple's CF the leak is zero. Apple's CF gives that reference back from a
 * dispatch timer's cancel handler, shortly after the run returned, so counts are read once they settle.
 */
class CfOwnershipTest {

    @BeforeEach
    void needCf() {
        assumeTrue(Backend.CF.isAvailable(), () -> "CF backend skipped: " + Backend.CF.unavailableReason().orElse(""));
    }

    /** Retains of the current thread's CFRunLoop that one positive-timeout CFRunLoopRunInMode leaves behind. */
    static long leakPerTimedRun() {
        MemorySegment rl = MemorySegment.ofAddress(CF.CFRunLoopGetCurrent().address());
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment ctx = dev.cfnet.cf.ffi.CFRunLoopSourceContext.allocate(arena);
            dev.cfnet.cf.ffi.CFRunLoopSourceContext.perform(ctx,
                    dev.cfnet.cf.ffi.CFRunLoopSourceContext.perform.allocate(info -> { }, arena));
            MemorySegment src = CF.CFRunLoopSourceCreate(CF.kCFAllocatorDefault(), 0, ctx);
            MemorySegment mode = CF.kCFRunLoopDefaultMode();
            CF.CFRunLoopAddSource(rl, src, mode);
            long before = settledRetainCount(rl);
            for (int i = 0; i < 3; i++) {
                CF.CFRunLoopSourceSignal(src);
                CF.CFRunLoopRunInMode(mode, 1.0, (byte) 1);
            }
            long leak = (settledRetainCount(rl) - before) / 3;
            CF.CFRunLoopSourceInvalidate(src);
            CF.CFRelease(src);
            return leak;
        }
    }

    /**
     * The retain count of {@code cf} once releases CF makes on other threads are done: the same value read 5 times
     * over 50 ms (at most 5 s).
     */
    static long settledRetainCount(MemorySegment cf) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long last = CF.CFGetRetainCount(cf);
        int same = 0;
        while (same < 5 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            long now = CF.CFGetRetainCount(cf);
            same = now == last ? same + 1 : 0;
            last = now;
        }
        return last;
    }

    static final AtomicInteger TIMED_RUNS = new AtomicInteger();

    @Test
    void everyIdHandedToCfComesBackAndTheLoopGivesEverythingBack() throws Exception {
        CompletableFuture<Object[]> out = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                long leak = leakPerTimedRun();
                MemorySegment own = MemorySegment.ofAddress(CF.CFRunLoopGetCurrent().address());
                long retainsBefore = settledRetainCount(own);
                TIMED_RUNS.set(0);
                int idsBefore = Registry.size();
                RunLoop l = RunLoop.current(Backend.CF);
                CfLoop driver = (CfLoop) driverOf(l);
                int idsWithLoop = Registry.size();
                exercise(l);
                int idsAfterWork = Registry.size();
                l.close();
                out.complete(new Object[] {retainsBefore + leak * TIMED_RUNS.get(), settledRetainCount(own),
                        idsBefore, idsWithLoop, idsAfterWork, Registry.size(), driver.isReleased()});
            } catch (Throwable t) {
                out.completeExceptionally(t);
            }
        });
        Object[] r = out.get(60, TimeUnit.SECONDS);
        assertEquals(r[0], r[1], "CFRetain and CFRelease of the CFRunLoop balance");
        assertEquals((int) r[2] + 2, (int) r[3], "a loop hands CF two ids, one per version-0 source");
        assertEquals(r[3], r[4], "sockets, timers and resolutions gave their ids back");
        assertEquals(r[2], r[5], "a closed loop's sources gave their ids back");
        assertTrue((boolean) r[6], "a closed loop released its CF objects and upcall stubs");
    }

    /** Sockets (connect, data, accept, end), timers (one-shot, repeating, invalidated), resolutions, tasks. */
    static void exercise(RunLoop l) throws Exception {
        CountDownLatch ended = new CountDownLatch(10);
        Socket listener = Socket.create(l, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(CallBackType.ACCEPT), (s, e) -> {
                    if (e instanceof SocketEvent.Accepted a) {
                        Socket.wrap(l, a.handle(), EnumSet.of(CallBackType.DATA), (c, d) -> {
                            if (d instanceof SocketEvent.Data data && data.isEmpty()) ended.countDown();
                        });
                    }
                });
        listener.setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress at = listener.localAddress().orElseThrow();
        AtomicInteger timers = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            Socket c = Socket.create(l, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT, CallBackType.WRITE), (s, e) -> {
                        if (e instanceof SocketEvent.Writable) {
                            s.send(new byte[] {1}, Duration.ofSeconds(1));
                            s.invalidate();
                        }
                    });
            c.connect(at, Duration.ZERO);
            l.schedule(Duration.ofMillis(1), timers::incrementAndGet);
            Timer never = l.schedule(Duration.ofHours(1), timers::incrementAndGet);
            never.invalidate();
            Host.resolve(l, "127.0.0.1", r -> timers.incrementAndGet());
        }
        Timer repeating = l.scheduleRepeating(Duration.ZERO, Duration.ofMillis(2), timers::incrementAndGet);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((ended.getCount() > 0 || timers.get() < 25) && System.nanoTime() < deadline) {
            spinOnce(l);
        }
        assertEquals(0, ended.getCount(), "connections ended");
        repeating.invalidate();
        listener.invalidate();
        spinOnce(l);
        assertEquals(0, l.sourceCount());
    }

    static void spinOnce(RunLoop l) {
        if (l.sourceCount() > 0) TIMED_RUNS.incrementAndGet();   // an empty mode finishes before reaching CF
        l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(20), false);
    }

    static Object driverOf(RunLoop l) throws ReflectiveOperationException {
        var m = RunLoop.class.getDeclaredMethod("driver");
        m.setAccessible(true);
        return m.invoke(l);
    }

    @Test
    void adoptingACfRunLoopSchedulesOnItAndReleasesItOnClose() throws Exception {
        CompletableFuture<long[]> out = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                long leak = leakPerTimedRun();
                MemorySegment ref = MemorySegment.ofAddress(CF.CFRunLoopGetCurrent().address());
                long before = settledRetainCount(ref);
                RunLoop adopted = dev.cfnet.corefoundation.CoreFoundation.adopt("adopted", ref);
                assertTrue(adopted.inLoopThread());
                AtomicInteger fired = new AtomicInteger();
                adopted.schedule(Duration.ofMillis(5), fired::incrementAndGet);
                RunLoop.Result r = adopted.runInMode(RunLoop.Mode.DEFAULT, Duration.ofSeconds(5), false);
                long during = settledRetainCount(ref) - leak;
                adopted.close();
                out.complete(new long[] {before, during, settledRetainCount(ref) - leak, fired.get(),
                        r == RunLoop.Result.FINISHED ? 1 : 0});
            } catch (Throwable t) {
                out.completeExceptionally(t);
            }
        });
        long[] r = out.get(30, TimeUnit.SECONDS);
        assertEquals(1, r[3], "the timer fired on the adopted loop");
        assertEquals(1, r[4], "the run finished once the timer was spent");
        assertTrue(r[1] > r[0], "cfnet and its sources hold the loop while they have it");
        assertEquals(r[0], r[2], "and give every retain back on close");
    }

    @Test
    void theMainLoopIsCfsMainRunLoop() {
        RunLoop main = dev.cfnet.corefoundation.CoreFoundation.mainRunLoop();
        try {
            assertEquals(Backend.CF, main.backend());
            assertFalse(main.isClosed());
            assertEquals("main", main.name());
        } finally {
            main.close();
        }
    }
}
