package dev.cfnet.cf;

import dev.cfnet.Host;
import dev.cfnet.IdleStrategy;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.RunLoop.Mode;
import dev.cfnet.RunLoop.Result;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import dev.cfnet.cf.ffi.CF;
import dev.cfnet.cf.ffi.CFRunLoopSourceContext;
import dev.cfnet.spi.Callbacks;
import dev.cfnet.spi.DispatchGuard;
import dev.cfnet.spi.LoopDriver;
import dev.cfnet.spi.ResolutionDriver;
import dev.cfnet.spi.SocketDriver;
import dev.cfnet.spi.SourceSet;
import dev.cfnet.spi.TimerDriver;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A cfnet loop over a real CFRunLoop. Tasks from {@link #execute} go through a version-0 source scheduled in the
 * common modes (signalled, then CFRunLoopWakeUp); cfnet's own hand-overs through a second one that is also added
 * to any other mode the loop runs in. CF calls back through the process's {@link Upcalls}, which dispatch by the
 * integer id CF hands back as {@code info}.
 */
final class CfLoop implements LoopDriver {
    static final System.Logger LOG = System.getLogger("dev.cfnet.cf");
    static final int DATA_BUFFER = 65535;

    /** Wakes runs whose CF ignores an idle timeout (see runInMode). One daemon thread for every loop. */
    private static final java.util.concurrent.ScheduledThreadPoolExecutor ALARMS =
            new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "cfnet-cf-alarm");
                t.setDaemon(true);
                return t;
            });

    static {
        ALARMS.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} on the alarm thread after {@code delayNanos}. */
    static java.util.concurrent.ScheduledFuture<?> later(long delayNanos, Runnable task) {
        return ALARMS.schedule(task, delayNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    private static final double FOREVER_SECONDS = 1.0e10;
    /** CF's constant mode strings: the values stored at kCFRunLoopDefaultMode and kCFRunLoopCommonModes. */
    private final MemorySegment defaultMode = MemorySegment.ofAddress(CF.kCFRunLoopDefaultMode().address());
    private final MemorySegment commonModes = MemorySegment.ofAddress(CF.kCFRunLoopCommonModes().address());

    final RunLoop owner;
    private final Thread thread;
    final MemorySegment rl;
    private final IdleStrategy idle;

    final SourceSet sources = new SourceSet();
    /** The loop's valid timers, for the OpenCFLite arming workaround (CfTimer.nudgeNearDue). */
    final Set<CfTimer> timers = ConcurrentHashMap.newKeySet();
    final DispatchGuard guard = new DispatchGuard();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> internal = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean tasksSignalled = new AtomicBoolean();
    private final AtomicBoolean internalSignalled = new AtomicBoolean();
    private final MemorySegment taskSource;
    private final MemorySegment internalSource;
    private final Set<Mode> internalModes = ConcurrentHashMap.newKeySet();
    private final Map<Mode, MemorySegment> modeStrings = new ConcurrentHashMap<>();

    private final Object state = new Object();
    private boolean running;                  // guarded by state
    private volatile boolean closed;
    private volatile boolean released;
    /** Calls on the CFRunLoop from other threads under way; release() waits them out. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Mode currentMode;
    private volatile boolean keepAlive;
    private volatile boolean finishRequested;

    final ByteBuffer dataBuffer = ByteBuffer.allocateDirect(DATA_BUFFER);
    final MemorySegment dataSegment = MemorySegment.ofBuffer(dataBuffer);

    /**
     * @param adopted a CFRunLoopRef run by someone else (the main loop, or one handed over), or null for the
     *                calling thread's own loop
     */
    CfLoop(RunLoop owner, IdleStrategy idle, MemorySegment adopted) {
        this.owner = owner;
        this.idle = idle;
        this.thread = adopted == null ? Thread.currentThread() : null;
        MemorySegment loopRef = adopted == null ? CF.CFRunLoopGetCurrent() : adopted;
        this.rl = MemorySegment.ofAddress(loopRef.address());
        CF.CFRetain(rl);
        this.taskSource = createSource(new Performer(this, false));
        this.internalSource = createSource(new Performer(this, true));
        CF.CFRunLoopAddSource(rl, taskSource, CF.kCFRunLoopCommonModes());
        CF.CFRunLoopAddSource(rl, internalSource, CF.kCFRunLoopCommonModes());
        internalModes.add(Mode.COMMON);
        sources.onRemoved(this::sourceRemoved);
    }

    /** What a version-0 source's info id stands for. */
    private record Performer(CfLoop loop, boolean internal) {
    }

    private MemorySegment createSource(Performer p) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = CFRunLoopSourceContext.allocate(a);
            CFRunLoopSourceContext.version(ctx, 0);
            CFRunLoopSourceContext.info(ctx, Registry.add(p));
            CFRunLoopSourceContext.release(ctx, Upcalls.RELEASE);
            CFRunLoopSourceContext.perform(ctx, Upcalls.PERFORM);
            MemorySegment src = CF.CFRunLoopSourceCreate(CF.kCFAllocatorDefault(), 0, ctx);
            return MemorySegment.ofAddress(src.address());
        }
    }

    /** A version-0 source's perform, through {@link Upcalls#PERFORM}. */
    static void onPerform(long info) {
        if (Registry.get(info) instanceof Performer p) {
            if (p.internal()) {
                p.loop().runInternal();
            } else {
                p.loop().runTasks();
            }
        }
    }


    // ---- tasks -------------------------------------------------------------------------------------------------

    private void runTasks() {
        tasksSignalled.set(false);
        int n = tasks.size();
        for (int i = 0; i < n; i++) {
            Runnable r = tasks.poll();
            if (r == null) break;
            try {
                r.run();
            } catch (Throwable t) {
                Callbacks.failed(owner, null, t);
            }
        }
        if (!tasks.isEmpty()) signal(taskSource, tasksSignalled);
    }

    private void runInternal() {
        internalSignalled.set(false);
        Runnable r;
        while ((r = internal.poll()) != null) {
            try {
                r.run();
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "run loop '" + owner.name() + "': internal operation failed", t);
            }
        }
    }

    private void signal(MemorySegment source, AtomicBoolean flag) {
        if (flag.compareAndSet(false, true) && use()) {
            try {
                CF.CFRunLoopSourceSignal(source);
                CF.CFRunLoopWakeUp(rl);
            } finally {
                done();
            }
        }
    }

    /**
     * Enters a call on the CFRunLoop or its sources from any thread; false once they are released. Paired with
     * {@link #done()}. The count and the flag are volatile: either release() sees the caller, or the caller sees
     * the release.
     */
    private boolean use() {
        inFlight.incrementAndGet();
        if (released) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    private void done() {
        inFlight.decrementAndGet();
    }

    @Override
    public void execute(Runnable task) {
        if (closed) throw new RejectedExecutionException("run loop '" + owner.name() + "' is closed");
        tasks.add(task);
        signal(taskSource, tasksSignalled);
    }

    /** Runs {@code op} on the loop thread at its next pass, in whatever mode it runs; false once closed. */
    boolean post(Runnable op) {
        if (closed) return false;
        internal.add(op);
        signal(internalSource, internalSignalled);
        return true;
    }

    void onLoop(Runnable op) {
        if (inLoopThread()) {
            op.run();
        } else {
            post(op);
        }
    }

    // ---- modes -------------------------------------------------------------------------------------------------

    /** The CFString of a mode; DEFAULT and COMMON are CF's own constants (read from the variables). */
    MemorySegment modeString(Mode mode) {
        if (mode.equals(Mode.DEFAULT)) return defaultMode;
        if (mode.equals(Mode.COMMON)) return commonModes;
        return modeStrings.computeIfAbsent(mode, m -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = CF.CFStringCreateWithCString(CF.kCFAllocatorDefault(),
                        a.allocateFrom(m.name(), StandardCharsets.UTF_8), CF.kCFStringEncodingUTF8());
                return MemorySegment.ofAddress(s.address());
            }
        });
    }

    @Override
    public void addCommonMode(Mode mode) {
        sources.addCommonMode(mode);
        if (use()) {
            try {
                CF.CFRunLoopAddCommonMode(rl, modeString(mode));
            } finally {
                done();
            }
        }
    }

    // ---- running -----------------------------------------------------------------------------------------------

    @Override
    public Thread thread() {
        return thread;
    }

    @Override
    public boolean inLoopThread() {
        if (thread != null) return Thread.currentThread() == thread;
        return !released && CF.CFRunLoopGetCurrent().address() == rl.address();
    }

    @Override
    public IdleStrategy idleStrategy() {
        return idle;
    }

    @Override
    public Result runInMode(Mode mode, long timeoutNanos, boolean returnAfterSourceHandled, boolean keepAlive) {
        synchronized (state) {
            if (closed) return Result.FINISHED;
            if (running) {
                throw new IllegalStateException("run loop '" + owner.name() + "' is running already; nested runs "
                        + "from inside its callbacks are not supported");
            }
            running = true;
        }
        currentMode = mode;
        try {
            MemorySegment modeRef = modeString(mode);
            if (!sources.isCommonMode(mode) && internalModes.add(mode)) {
                CF.CFRunLoopAddSource(rl, internalSource, modeRef);
            }
            if (!keepAlive && sources.activeCount(mode) == 0) {
                return Result.FINISHED;   // as CF: an empty mode finishes before a pending stop is looked at
            }
            CfTimer.nudgeNearDue(this, mode);
            this.keepAlive = keepAlive;
            finishRequested = false;
            long start = System.nanoTime();
            boolean forever = timeoutNanos >= 1_000_000_000_000_000_000L;   // over 31 years: RunLoop.run()
            long deadline = forever ? Long.MAX_VALUE : start + timeoutNanos;
            java.util.concurrent.ScheduledFuture<?> alarm = null;
            if (!forever && timeoutNanos > 0 && CfLibrary.IMPL.wakesIdleTimeouts()) {
                // OpenCFLite sleeps past the timeout of an idle run until something wakes it; a wake-up after the
                // deadline ends the run with TIMED_OUT. Not a CF timer: adding one there can disarm the timers
                // already armed (see CfTimer.nudgeIfDue).
                alarm = ALARMS.schedule(this::wakeUp, timeoutNanos + 200_000, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            try {
                int r = switch (idle) {
                    case IdleStrategy.Park p -> runOnce(modeRef, deadline, returnAfterSourceHandled);
                    case IdleStrategy.Spin s -> spin(modeRef, deadline, returnAfterSourceHandled, false);
                    case IdleStrategy.Yield y -> spin(modeRef, deadline, returnAfterSourceHandled, true);
                    case IdleStrategy.SpinThenPark stp -> {
                        long spinUntil = Math.min(deadline, System.nanoTime() + nanos(stp.spinFor()));
                        int first = spin(modeRef, spinUntil, returnAfterSourceHandled, false);
                        yield first == CF.kCFRunLoopRunTimedOut() && spinUntil != deadline
                                ? runOnce(modeRef, deadline, returnAfterSourceHandled) : first;
                    }
                };
                Result result = toResult(r);
                if (result == Result.STOPPED && finishRequested) return Result.FINISHED;
                return result;
            } finally {
                if (alarm != null) alarm.cancel(false);
            }
        } finally {
            currentMode = null;
            synchronized (state) {
                running = false;
                if (closed) release();
            }
        }
    }

    private static long nanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private int runOnce(MemorySegment modeRef, long deadline, boolean returnAfter) {
        double seconds = deadline == Long.MAX_VALUE ? FOREVER_SECONDS
                : Math.max(0, (deadline - System.nanoTime()) / 1e9);
        return CF.CFRunLoopRunInMode(modeRef, seconds, (byte) (returnAfter ? 1 : 0));
    }

    /** Polls with zero-timeout runs until something other than a timeout ends one, or the deadline. */
    private int spin(MemorySegment modeRef, long deadline, boolean returnAfter, boolean yield) {
        int timedOut = CF.kCFRunLoopRunTimedOut();
        for (;;) {
            int r = CF.CFRunLoopRunInMode(modeRef, 0, (byte) (returnAfter ? 1 : 0));
            if (r != timedOut) return r;
            if (System.nanoTime() - deadline >= 0) return r;
            if (yield) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private static Result toResult(int r) {
        if (r == CF.kCFRunLoopRunFinished()) return Result.FINISHED;
        if (r == CF.kCFRunLoopRunStopped()) return Result.STOPPED;
        if (r == CF.kCFRunLoopRunTimedOut()) return Result.TIMED_OUT;
        if (r == CF.kCFRunLoopRunHandledSource()) return Result.HANDLED_SOURCE;
        throw new IllegalStateException("CFRunLoopRunInMode returned " + r);
    }

    /**
     * cfnet's own sources keep a CFRunLoop's modes from ever being empty, so a run that should finish when its
     * last source goes is stopped from inside, where the stop cannot outlive the run.
     */
    private void sourceRemoved() {
        if (currentMode != null && !keepAlive) {
            post(() -> {
                Mode m = currentMode;
                if (m != null && !keepAlive && sources.activeCount(m) == 0) {
                    finishRequested = true;
                    CF.CFRunLoopStop(rl);
                }
            });
        }
    }

    @Override
    public Mode currentMode() {
        return currentMode;
    }

    @Override
    public void stop() {
        if (use()) {
            try {
                CF.CFRunLoopStop(rl);
            } finally {
                done();
            }
        }
    }

    /** CFRunLoopStop is lost on a loop that is not running yet; from inside the next run it is not. */
    @Override
    public void requestExit() {
        post(() -> CF.CFRunLoopStop(rl));
    }

    @Override
    public void wakeUp() {
        if (use()) {
            try {
                CF.CFRunLoopWakeUp(rl);
            } finally {
                done();
            }
        }
    }

    @Override
    public boolean isWaiting() {
        if (!use()) return false;
        try {
            return CF.CFRunLoopIsWaiting(rl) != 0;
        } finally {
            done();
        }
    }

    // ---- factories ---------------------------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) throw new IllegalStateException("run loop '" + owner.name() + "' is closed");
    }

    @Override
    public TimerDriver schedule(Timer timerOwner, long delayNanos, long intervalNanos, Runnable task) {
        checkOpen();
        return new CfTimer(this, timerOwner, task, delayNanos, intervalNanos);
    }

    @Override
    public SocketDriver createSocket(Socket socketOwner, ProtocolFamily family, SocketType type, int callBackTypes,
                                     SocketHandler handler) throws SocketErrorException {
        checkOpen();
        return CfSocket.create(this, socketOwner, family, type, callBackTypes, handler);
    }

    @Override
    public SocketDriver wrapSocket(Socket socketOwner, SocketHandle handle, int callBackTypes, SocketHandler handler)
            throws SocketErrorException {
        checkOpen();
        if (!(handle instanceof CfSocketHandle h)) {
            throw new IllegalArgumentException("not a handle of the CF backend: " + handle);
        }
        return CfSocket.wrap(this, socketOwner, h, callBackTypes, handler);
    }

    @Override
    public ResolutionDriver resolve(Host.Resolution resolutionOwner, String name, Consumer<ResolveResult> callback) {
        checkOpen();
        return new CfResolution(this, resolutionOwner, name, callback);
    }

    @Override
    public int sourceCount() {
        return sources.size();
    }

    // ---- close -------------------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (var s : sources.snapshot()) {
            try {
                s.invalidate();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "invalidating " + s + " while closing run loop '" + owner.name() + "'", t);
            }
        }
        tasks.clear();
        internal.clear();
        synchronized (state) {
            if (!running) {
                release();
                return;
            }
        }
        stop();
    }

    /** Gives back every CF object and the upcall stubs; only when no callout of this loop can run. */
    private void release() {
        if (released) return;
        released = true;
        while (inFlight.get() != 0) Thread.onSpinWait();
        CF.CFRunLoopSourceInvalidate(taskSource);
        CF.CFRelease(taskSource);
        CF.CFRunLoopSourceInvalidate(internalSource);
        CF.CFRelease(internalSource);
        for (MemorySegment s : modeStrings.values()) CF.CFRelease(s);
        modeStrings.clear();
        CF.CFRelease(rl);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** True once the loop gave its CF objects and stubs back (tests check it). */
    boolean isReleased() {
        return released;
    }

    @Override
    public String toString() {
        return "CfLoop[" + owner.name() + "]";
    }
}
