package dev.cfnet.cf;

import dev.cfnet.Host;
import dev.cfnet.IdleStrategy;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.RunLoop.Mode;
import dev.cfnet.RunLoop.Result;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import dev.cfnet.cf.ffi.CF;
import dev.cfnet.cf.ffi.CFRunLoopSourceContext;
import dev.cfnet.spi.LoopCore;
import dev.cfnet.spi.OwnedHandle;
import dev.cfnet.spi.ResolutionDriver;
import dev.cfnet.spi.SocketCore;
import dev.cfnet.spi.SocketIo;
import dev.cfnet.spi.TimerDriver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A cfnet loop over a real CFRunLoop. Tasks from {@link #execute} go through a version-0 source scheduled in the
 * common modes (signalled, then CFRunLoopWakeUp); cfnet's own hand-overs through a second one that is also added
 * to any other mode the loop runs in. CF calls back through the process's {@link Upcalls}, which dispatch by the
 * integer id CF hands back as {@code info}.
 */
final class CfLoop extends LoopCore {
    static final int DATA_BUFFER = 65535;

    /** Runs tasks later off the loop (OpenCFLite's idle-timeout alarms, retries). One daemon thread for all loops. */
    private static final ScheduledThreadPoolExecutor ALARMS = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "cfnet-cf-alarm");
        t.setDaemon(true);
        return t;
    });

    static {
        ALARMS.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} on the alarm thread after {@code delayNanos}. */
    static ScheduledFuture<?> later(long delayNanos, Runnable task) {
        return ALARMS.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    private static final double FOREVER_SECONDS = 1.0e10;

    private final Thread thread;
    /** The CFRunLoopRef, retained until the loop is released. */
    final MemorySegment cfRunLoop;
    /** CF's constant mode strings: the values stored at kCFRunLoopDefaultMode and kCFRunLoopCommonModes. */
    private final MemorySegment defaultMode = MemorySegment.ofAddress(CF.kCFRunLoopDefaultMode().address());
    private final MemorySegment commonModes = MemorySegment.ofAddress(CF.kCFRunLoopCommonModes().address());
    /** The loop's valid timers, for the OpenCFLite arming workaround (CfTimer.nudgeNearDue). */
    final Set<CfTimer> timers = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean tasksSignalled = new AtomicBoolean();
    private final AtomicBoolean internalSignalled = new AtomicBoolean();
    private final MemorySegment taskSource;
    private final MemorySegment internalSource;
    private final Set<Mode> internalModes = ConcurrentHashMap.newKeySet();
    private final Map<Mode, MemorySegment> modeStrings = new ConcurrentHashMap<>();

    private volatile boolean released;
    /** Calls on the CFRunLoop from other threads under way; release() waits them out. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean keepAlive;
    private volatile boolean finishRequested;

    final ByteBuffer dataBuffer = ByteBuffer.allocateDirect(DATA_BUFFER);
    final MemorySegment dataSegment = MemorySegment.ofBuffer(dataBuffer);

    /**
     * @param adopted a CFRunLoopRef run by someone else (the main loop, or one handed over), or null for the
     *                calling thread's own loop
     */
    CfLoop(RunLoop owner, IdleStrategy idle, MemorySegment adopted) {
        super(owner, idle);
        this.thread = adopted == null ? Thread.currentThread() : null;
        MemorySegment loopRef = adopted == null ? CF.CFRunLoopGetCurrent() : adopted;
        this.cfRunLoop = MemorySegment.ofAddress(loopRef.address());
        CF.CFRetain(cfRunLoop);
        this.taskSource = createSource(new Performer(this, false));
        this.internalSource = createSource(new Performer(this, true));
        CF.CFRunLoopAddSource(cfRunLoop, taskSource, commonModes);
        CF.CFRunLoopAddSource(cfRunLoop, internalSource, commonModes);
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
                p.loop().internalSignalled.set(false);
                p.loop().runInternal();
            } else {
                p.loop().tasksSignalled.set(false);
                p.loop().runTasks();
                if (p.loop().hasTasks()) p.loop().signalTasks();
            }
        }
    }

    // ---- hand-over -----------------------------------------------------------------------------------------------

    @Override
    protected void signalTasks() {
        signal(taskSource, tasksSignalled);
    }

    @Override
    protected void signalInternal() {
        signal(internalSource, internalSignalled);
    }

    private void signal(MemorySegment source, AtomicBoolean flag) {
        if (flag.compareAndSet(false, true) && use()) {
            try {
                CF.CFRunLoopSourceSignal(source);
                CF.CFRunLoopWakeUp(cfRunLoop);
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
    protected void commonModeAdded(Mode mode) {
        if (use()) {
            try {
                CF.CFRunLoopAddCommonMode(cfRunLoop, modeString(mode));
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
        return !released && CF.CFRunLoopGetCurrent().address() == cfRunLoop.address();
    }

    @Override
    public Result runInMode(Mode mode, long timeoutNanos, boolean returnAfterSourceHandled, boolean keepAlive) {
        if (!enterRun(mode)) return Result.FINISHED;
        try {
            MemorySegment modeRef = modeString(mode);
            if (!sources.isCommonMode(mode) && internalModes.add(mode)) {
                CF.CFRunLoopAddSource(cfRunLoop, internalSource, modeRef);
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
            ScheduledFuture<?> alarm = null;
            if (!forever && timeoutNanos > 0 && CfLibrary.implementation().wakesIdleTimeouts()) {
                // OpenCFLite sleeps past the timeout of an idle run until something wakes it; a wake-up after the
                // deadline ends the run with TIMED_OUT. Not a CF timer: adding one there can disarm the timers
                // already armed (see CfTimer.nudgeIfDue).
                alarm = later(timeoutNanos + 200_000, this::wakeUp);
            }
            try {
                int r = switch (idleStrategy()) {
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
            exitRun(() -> {
                if (isClosed()) release();
            });
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
    private void sourceRemoved() {
        if (currentMode() != null && !keepAlive) {
            post(() -> {
                Mode m = currentMode();
                if (m != null && !keepAlive && sources.activeCount(m) == 0) {
                    finishRequested = true;
                    CF.CFRunLoopStop(cfRunLoop);
                }
            });
        }
    }

    @Override
    public void stop() {
        if (use()) {
            try {
                CF.CFRunLoopStop(cfRunLoop);
            } finally {
                done();
            }
        }
    }

    /** CFRunLoopStop is lost on a loop that is not running yet; from inside the next run it is not. */
    @Override
    public void requestExit() {
        post(() -> CF.CFRunLoopStop(cfRunLoop));
    }

    @Override
    public void wakeUp() {
        if (use()) {
            try {
                CF.CFRunLoopWakeUp(cfRunLoop);
            } finally {
                done();
            }
        }
    }

    @Override
    public boolean isWaiting() {
        if (!use()) return false;
        try {
            return CF.CFRunLoopIsWaiting(cfRunLoop) != 0;
        } finally {
            done();
        }
    }

    // ---- factories ---------------------------------------------------------------------------------------------

    @Override
    protected TimerDriver newTimer(Timer timerOwner, long delayNanos, long intervalNanos, Runnable task) {
        return new CfTimer(this, timerOwner, task, delayNanos, intervalNanos);
    }

    @Override
    protected SocketIo newSocketIo(SocketCore core, ProtocolFamily family, SocketType type)
            throws SocketErrorException {
        return CfSocketIo.create(this, core, family, type);
    }

    @Override
    protected SocketIo wrapSocketIo(SocketCore core, OwnedHandle handle) throws SocketErrorException {
        return CfSocketIo.wrap(this, core, (CfSocketHandle) handle);
    }

    @Override
    protected InetSocketAddress peerOf(OwnedHandle handle) {
        return ((CfSocketHandle) handle).peer();
    }

    @Override
    protected ResolutionDriver newResolution(Host.Resolution resolutionOwner, String name,
                                             Consumer<ResolveResult> callback) {
        return new CfResolution(this, resolutionOwner, name, callback);
    }

    // ---- close -------------------------------------------------------------------------------------------------

    @Override
    protected void closed() {
        if (!ifNotRunning(this::release)) stop();
    }

    /** Gives back every CF object; only when no callout of this loop can run. */
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
        CF.CFRelease(cfRunLoop);
    }

    /** True once the loop gave its CF objects back (tests check it). */
    boolean isReleased() {
        return released;
    }
}
