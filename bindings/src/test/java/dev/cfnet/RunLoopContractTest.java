package dev.cfnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** RunLoop: threads, execute, timers, modes, run results, stop/wakeUp, error handling, close. */
class RunLoopContractTest extends BackendTestBase {

    @Test
    void startedLoopRunsTasksOnItsOwnNamedThread() throws Exception {
        Thread t = loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
        assertSame(loop.thread(), t);
        assertEquals("test-" + backend.name().toLowerCase(), t.getName());
        assertTrue(loop.submit(loop::inLoopThread).get(5, TimeUnit.SECONDS));
        assertSame(loop, loop.submit(RunLoop::current).get(5, TimeUnit.SECONDS));
        assertFalse(loop.inLoopThread());
    }

    @Test
    void executeFromManyThreadsRunsEveryTaskOnceInEachThreadsOrder() throws Exception {
        int threads = 8;
        int perThread = 2000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int i = 0; i < threads; i++) seen.add(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(threads * perThread);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            producers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    loop.execute(() -> {
                        seen.get(id).add(n);   // loop thread only: no lock needed
                        done.countDown();
                    });
                }
            }));
        }
        for (Thread p : producers) p.join();
        assertTrue(done.await(20, TimeUnit.SECONDS), "tasks left: " + done.getCount());
        List<List<Integer>> copy = loop.submit(() -> List.copyOf(seen.stream().map(List::copyOf).toList()))
                .get(5, TimeUnit.SECONDS);
        for (List<Integer> s : copy) {
            assertEquals(perThread, s.size());
            for (int i = 0; i < perThread; i++) assertEquals(i, s.get(i));
        }
    }

    @Test
    void submitCompletesWithTheResultOrTheException() throws Exception {
        assertEquals(42, loop.submit(() -> 42).get(5, TimeUnit.SECONDS));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> loop.submit(() -> { throw new IllegalStateException("boom"); }).get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void oneShotTimerFiresOnceAfterItsDelayAndIsThenInvalid() throws Exception {
        BlockingQueue<Long> fired = new LinkedBlockingQueue<>();
        long start = System.nanoTime();
        Timer t = loop.schedule(Duration.ofMillis(50), () -> fired.add(System.nanoTime()));
        Long at = fired.poll(5, TimeUnit.SECONDS);
        assertTrue(at != null, "timer did not fire");
        assertTrue(at - start >= TimeUnit.MILLISECONDS.toNanos(45), "fired early: " + (at - start) / 1e6 + " ms");
        assertNull(fired.poll(200, TimeUnit.MILLISECONDS));
        assertFalse(t.isValid());
        assertFalse(t.isRepeating());
    }

    @Test
    void repeatingTimerKeepsFiringUntilInvalidated() throws Exception {
        AtomicInteger count = new AtomicInteger();
        CountDownLatch five = new CountDownLatch(5);
        Timer t = loop.scheduleRepeating(Duration.ofMillis(10), Duration.ofMillis(10), () -> {
            count.incrementAndGet();
            five.countDown();
        });
        assertTrue(five.await(5, TimeUnit.SECONDS));
        assertTrue(t.isValid());
        t.invalidate();
        int after = count.get();
        Thread.sleep(100);
        assertEquals(after, count.get(), "fired after invalidate returned");
        assertFalse(t.isValid());
    }

    @Test
    void timerInvalidatedBeforeItsTimeNeverFires() throws Exception {
        AtomicInteger count = new AtomicInteger();
        Timer t = loop.schedule(Duration.ofMillis(100), count::incrementAndGet);
        t.invalidate();
        t.invalidate();
        Thread.sleep(250);
        assertEquals(0, count.get());
    }

    @Test
    void setNextFireMovesTheTimer() throws Exception {
        CompletableFuture<Long> fired = new CompletableFuture<>();
        Timer t = loop.schedule(Duration.ofHours(1), () -> fired.complete(System.nanoTime()));
        long moved = System.nanoTime();
        t.setNextFire(Duration.ofMillis(20));
        long at = fired.get(5, TimeUnit.SECONDS);
        assertTrue(at - moved < TimeUnit.SECONDS.toNanos(3));
    }

    @Test
    void timerThatThrowsGoesToTheHandlerAndIsInvalidatedByDefault() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        CallbackErrorHandler dflt = loop.errorHandler();
        loop.setErrorHandler((l, source, error) -> {
            seen.complete(error);
            dflt.callbackFailed(l, source, error);
        });
        try (LogCapture log = LogCapture.cfnet()) {
            Timer t = loop.scheduleRepeating(Duration.ofMillis(5), Duration.ofMillis(5), () -> {
                throw new IllegalStateException("timer boom");
            });
            Throwable error = seen.get(5, TimeUnit.SECONDS);
            assertEquals("timer boom", error.getMessage());
            eventually(() -> !t.isValid(), "the default handler invalidates the source that threw");
            java.util.logging.LogRecord r = log.awaitThrown(error);
            assertEquals(java.util.logging.Level.WARNING, r.getLevel(), "the default handler logs a warning");
            assertTrue(r.getMessage().contains("Timer[every") && r.getMessage().contains("invalidating it"),
                    r.getMessage());
        }
        assertEquals(7, loop.submit(() -> 7).get(5, TimeUnit.SECONDS), "loop goes on");
    }

    @Test
    void taskThatThrowsGoesToTheHandlerWithNoSourceAndTheLoopGoesOn() throws Exception {
        CompletableFuture<Object[]> seen = new CompletableFuture<>();
        loop.setErrorHandler((l, source, error) -> seen.complete(new Object[] {l, source, error}));
        loop.execute(() -> { throw new StackOverflowError("deep"); });
        Object[] got = seen.get(5, TimeUnit.SECONDS);
        assertSame(loop, got[0]);
        assertNull(got[1]);
        assertInstanceOf(StackOverflowError.class, got[2]);
        assertEquals(1, loop.submit(() -> 1).get(5, TimeUnit.SECONDS));
    }

    @Test
    void handlerThatThrowsDoesNotStopTheLoop() throws Exception {
        try (LogCapture log = LogCapture.cfnet()) {
            loop.setErrorHandler((l, s, e) -> { throw new RuntimeException("handler boom"); });
            loop.execute(() -> { throw new RuntimeException("task boom"); });
            assertEquals(2, loop.submit(() -> 2).get(5, TimeUnit.SECONDS));
            java.util.logging.LogRecord r = log.await("the handler's exception",
                    x -> x.getThrown() != null && "handler boom".equals(x.getThrown().getMessage()),
                    Duration.ofSeconds(5));
            assertEquals(java.util.logging.Level.SEVERE, r.getLevel());
            assertEquals("task boom", r.getThrown().getSuppressed()[0].getMessage(),
                    "the callback's exception rides along, suppressed");
        }
    }

    @Test
    void stopAndWakeUpFromOtherThreadsEndARunOnTheCurrentLoop() throws Exception {
        CompletableFuture<RunLoop.Result> result = new CompletableFuture<>();
        CompletableFuture<RunLoop> own = new CompletableFuture<>();
        Thread runner = Thread.ofPlatform().start(() -> {
            RunLoop l = RunLoop.current(backend);
            Timer keep = l.schedule(Duration.ofHours(1), () -> { });
            own.complete(l);
            result.complete(l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofSeconds(30), false));
            keep.invalidate();
            l.close();
        });
        RunLoop l = own.get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!l.isWaiting() && System.nanoTime() < deadline) Thread.sleep(1);
        assertTrue(l.isWaiting(), "an idle loop waits");
        long t0 = System.nanoTime();
        l.wakeUp();
        l.stop();
        assertEquals(RunLoop.Result.STOPPED, result.get(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "stop took too long");
        runner.join();
    }

    @Test
    void executeWakesAWaitingLoopPromptly() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!loop.isWaiting() && System.nanoTime() < deadline) Thread.sleep(1);
        assertTrue(loop.isWaiting());
        long t0 = System.nanoTime();
        loop.submit(() -> null).get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void stopOnALoopThatIsNotRunningChangesNothing() {
        onOwnThread(l -> {
            Timer keep = l.schedule(Duration.ofHours(1), () -> { });
            l.stop();   // as CFRunLoopStop: only a run under way is stopped
            assertEquals(RunLoop.Result.TIMED_OUT, l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(50), false));
            l.execute(l::stop);
            assertEquals(RunLoop.Result.STOPPED, l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofSeconds(5), false));
            keep.invalidate();
        });
    }

    @Test
    void runFinishesWhenTheLastSourceIsInvalidated() {
        onOwnThread(l -> {
            assertEquals(RunLoop.Result.FINISHED, l.run(), "no sources: finished at once");
            AtomicInteger fired = new AtomicInteger();
            l.schedule(Duration.ofMillis(20), fired::incrementAndGet);
            assertEquals(RunLoop.Result.FINISHED, l.run());
            assertEquals(1, fired.get());
        });
    }

    @Test
    void runInModeTimesOut() {
        onOwnThread(l -> {
            Timer keep = l.schedule(Duration.ofMillis(300), () -> { });
            long t0 = System.nanoTime();
            assertEquals(RunLoop.Result.TIMED_OUT, l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(50), false));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 45 && ms < 290, "returned after " + ms + " ms");
            assertEquals(RunLoop.Result.TIMED_OUT, l.runInMode(RunLoop.Mode.DEFAULT, Duration.ZERO, false));
            keep.invalidate();
        });
    }

    @Test
    void runInModeReturnsAfterOneHandledSource() {
        onOwnThread(l -> {
            Timer keep = l.schedule(Duration.ofHours(1), () -> { });
            AtomicInteger ran = new AtomicInteger();
            l.execute(ran::incrementAndGet);
            assertEquals(RunLoop.Result.HANDLED_SOURCE,
                    l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofSeconds(5), true));
            assertEquals(1, ran.get());
            keep.invalidate();
        });
    }

    @Test
    void sourcesRunOnlyInTheirModesAndCommonModesCanGrow() {
        onOwnThread(l -> {
            RunLoop.Mode modal = new RunLoop.Mode("modal");
            AtomicInteger defaultOnly = new AtomicInteger();
            AtomicInteger modalOnly = new AtomicInteger();
            AtomicInteger common = new AtomicInteger();
            Timer d = l.scheduleRepeating(Duration.ZERO, Duration.ofMillis(5), defaultOnly::incrementAndGet);
            Timer m = l.scheduleRepeating(Duration.ZERO, Duration.ofMillis(5), modalOnly::incrementAndGet);
            m.addMode(modal);
            m.removeMode(RunLoop.Mode.DEFAULT);
            Timer c = l.scheduleRepeating(Duration.ZERO, Duration.ofMillis(5), common::incrementAndGet);
            c.removeMode(RunLoop.Mode.DEFAULT);   // in CF, removing DEFAULT after adding COMMON takes it out of
            c.addMode(RunLoop.Mode.COMMON);       // the default mode too; this order means "common modes only"

            l.runInMode(modal, Duration.ofMillis(60), false);
            assertEquals(0, defaultOnly.get(), "default-mode timer fired in 'modal'");
            assertTrue(modalOnly.get() > 0);
            assertEquals(0, common.get(), "'modal' is not a common mode yet");
            assertEquals(modal, RunLoop.Mode.DEFAULT.equals(l.currentMode()) ? null : modal);

            int modalBefore = modalOnly.get();
            l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(60), false);
            assertTrue(defaultOnly.get() > 0);
            assertEquals(modalBefore, modalOnly.get(), "modal-only timer fired in the default mode");
            assertTrue(common.get() > 0, "COMMON includes the default mode");

            l.addCommonMode(modal);
            int commonBefore = common.get();
            l.runInMode(modal, Duration.ofMillis(60), false);
            assertTrue(common.get() > commonBefore, "COMMON sources run in an added common mode");
            d.invalidate();
            m.invalidate();
            c.invalidate();
        });
    }

    @Test
    void executeRunsOnlyInCommonModes() {
        onOwnThread(l -> {
            RunLoop.Mode privateMode = new RunLoop.Mode("private");
            Timer keep = l.schedule(Duration.ofHours(1), () -> { });
            keep.addMode(privateMode);
            AtomicInteger ran = new AtomicInteger();
            l.execute(ran::incrementAndGet);
            l.runInMode(privateMode, Duration.ofMillis(50), false);
            assertEquals(0, ran.get(), "execute() is a common-modes source");
            l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(50), false);
            assertEquals(1, ran.get());
            keep.invalidate();
        });
    }

    @Test
    void currentModeIsTheRunningModeOrNull() throws Exception {
        assertEquals(RunLoop.Mode.DEFAULT, loop.submit(loop::currentMode).get(5, TimeUnit.SECONDS));
        onOwnThread(l -> assertNull(l.currentMode()));
    }

    @Test
    void runningFromTheWrongThreadOrAStartedLoopIsRefused() throws Exception {
        assertThrows(IllegalStateException.class, () -> loop.run());
        CompletableFuture<RunLoop> other = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> other.complete(RunLoop.current(backend)));
        t.join();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> other.get().runInMode(RunLoop.Mode.DEFAULT, Duration.ZERO, false));
        assertTrue(e.getMessage().contains("belongs to thread"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RunLoop.current(backend).runInMode(RunLoop.Mode.COMMON, Duration.ZERO, false));
        RunLoop.current(backend).close();
    }

    @Test
    void nestedRunFromACallbackIsRefused() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        onOwnThread(l -> {
            l.execute(() -> {
                try {
                    l.runInMode(RunLoop.Mode.DEFAULT, Duration.ZERO, false);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            Timer keep = l.schedule(Duration.ofHours(1), () -> { });
            l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(50), true);
            keep.invalidate();
        });
        assertInstanceOf(IllegalStateException.class, thrown.get());
    }

    @Test
    void currentIsOnePerThread() throws Exception {
        onOwnThread(l -> {
            assertSame(l, RunLoop.current(backend));
            assertSame(l, RunLoop.current(backend));
        });
        CompletableFuture<RunLoop> a = new CompletableFuture<>();
        CompletableFuture<RunLoop> b = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> { a.complete(RunLoop.current(backend)); a.join().close(); }).join();
        Thread.ofPlatform().start(() -> { b.complete(RunLoop.current(backend)); b.join().close(); }).join();
        assertFalse(a.get() == b.get());
    }

    @Test
    void closeInvalidatesWhatIsScheduledAndRejectsNewWork() throws Exception {
        RunLoop l = RunLoop.start("closing", backend);
        Timer t = l.schedule(Duration.ofHours(1), () -> { });
        Socket s = Socket.create(l, java.net.StandardProtocolFamily.INET, SocketType.DATAGRAM,
                java.util.EnumSet.of(CallBackType.DATA), (x, e) -> { });
        assertEquals(2, l.sourceCount());
        l.close();
        assertFalse(t.isValid());
        assertFalse(s.isValid());
        assertTrue(l.isClosed());
        assertFalse(l.thread().isAlive(), "a started loop's thread ends with close()");
        assertThrows(RejectedExecutionException.class, () -> l.execute(() -> { }));
        assertThrows(IllegalStateException.class, () -> l.schedule(Duration.ZERO, () -> { }));
        l.close();
    }

    @Test
    void closeFromInsideACallbackEndsTheLoop() throws Exception {
        RunLoop l = RunLoop.start("self-closing", backend);
        CountDownLatch closed = new CountDownLatch(1);
        l.execute(() -> {
            l.close();
            closed.countDown();
        });
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        l.thread().join(5000);
        assertFalse(l.thread().isAlive());
    }

    @Test
    void resultsCarryCfValues() {
        assertEquals(1, RunLoop.Result.FINISHED.cfValue());
        assertEquals(2, RunLoop.Result.STOPPED.cfValue());
        assertEquals(3, RunLoop.Result.TIMED_OUT.cfValue());
        assertEquals(4, RunLoop.Result.HANDLED_SOURCE.cfValue());
        assertEquals("kCFRunLoopDefaultMode", RunLoop.Mode.DEFAULT.name());
        assertThrows(IllegalArgumentException.class, () -> new RunLoop.Mode(" "));
    }

    static List<Integer> synced() {
        return Collections.synchronizedList(new ArrayList<>());
    }
}
