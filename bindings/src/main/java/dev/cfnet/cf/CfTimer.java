package dev.cfnet.cf;

import dev.cfnet.RunLoop;
import dev.cfnet.Timer;
import dev.cfnet.cf.ffi.CF;
import dev.cfnet.cf.ffi.CFRunLoopTimerContext;
import dev.cfnet.spi.TimerCore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A cfnet timer over a CFRunLoopTimer. */
final class CfTimer extends TimerCore {
    private final CfLoop cfLoop;
    private final Object lock = new Object();
    private MemorySegment timer;   // CFRunLoopTimerRef, guarded by lock

    CfTimer(CfLoop loop, Timer owner, Runnable task, long delay, long interval) {
        super(loop, owner, task, delay, interval);
        this.cfLoop = loop;
    }

    private static MemorySegment create(CfLoop loop, Object target, long delayNanos, long intervalNanos) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = CFRunLoopTimerContext.allocate(a);
            CFRunLoopTimerContext.version(ctx, 0);
            CFRunLoopTimerContext.info(ctx, Registry.add(target));
            CFRunLoopTimerContext.release(ctx, Upcalls.RELEASE);
            double fire = fireDate(delayNanos);
            MemorySegment t = CF.CFRunLoopTimerCreate(CF.kCFAllocatorDefault(), fire, intervalNanos / 1e9, 0, 0,
                    Upcalls.TIMER, ctx);
            return MemorySegment.ofAddress(t.address());
        }
    }

    /**
     * CF's fire date for a delay. OpenCFLite never fires a timer that is due less than about a millisecond after it
     * is armed, so there a timer is due no sooner than its lead; Apple's CF has none.
     */
    private static double fireDate(long delayNanos) {
        return CF.CFAbsoluteTimeGetCurrent() + Math.max(delayNanos / 1e9, LEAD_SECONDS);
    }

    private static final double LEAD_SECONDS = CfLibrary.implementation().minTimerLeadSeconds();
    /** OpenCFLite only: see nudgeIfDue and watch. */
    private static final boolean NUDGES = CfLibrary.implementation().nudgesDueTimers();

    @Override
    public void start() {
        register();
        cfLoop.timers.add(this);
        java.util.List<MemorySegment> modeRefs = modes().stream().map(cfLoop::modeString).toList();
        synchronized (lock) {
            timer = create(cfLoop, this, delay, interval);
            for (MemorySegment mode : modeRefs) {
                if (NUDGES) nudgeIfDue();   // see nudgeIfDue: each add must see a future fire date
                CF.CFRunLoopAddTimer(cfLoop.cfRunLoop, timer, mode);
            }
        }
        watch();
    }

    /** A timer's callout, through {@link Upcalls#TIMER}. */
    static void onFire(long info) {
        if (Registry.get(info) instanceof CfTimer t) t.onFire();
    }

    private void onFire() {
        fires++;
        if (fire()) watch();   // a one-shot timer is spent once it fired, as CF's
    }

    @Override
    protected void cancel() {
        MemorySegment t;
        synchronized (lock) {
            t = timer;
            timer = null;
        }
        cfLoop.timers.remove(this);
        java.util.concurrent.ScheduledFuture<?> w = watchdog;
        if (w != null) w.cancel(false);
        if (t != null) {
            CF.CFRunLoopTimerInvalidate(t);
            CF.CFRelease(t);
        }
    }

    @Override
    public void setNextFire(long delayNanos) {
        synchronized (lock) {
            if (isValid() && timer != null) {
                CF.CFRunLoopTimerSetNextFireDate(timer, fireDate(delayNanos));
            }
        }
        fires++;   // a new schedule: the watchdog's count starts over
        watch();
    }

    /**
     * OpenCFLite arms a mode's kqueue timer for its earliest timer in whole milliseconds, skips the arming when that
     * timer is already due, and fires timers only when the kqueue timer goes off; a timer due within a millisecond
     * of an arming therefore disarms its mode and stalls every timer in it. Moving such a timer just ahead re-arms
     * the mode. Apple's CF arms past deadlines with mk_timer and needs none of this.
     */
    void nudgeIfDue() {
        synchronized (lock) {
            if (!isValid() || timer == null) return;
            double now = CF.CFAbsoluteTimeGetCurrent();
            if (CF.CFRunLoopTimerGetNextFireDate(timer) < now + NEAR_SECONDS) {
                CF.CFRunLoopTimerSetNextFireDate(timer, now + LEAD_SECONDS);
            }
        }
    }

    /** At the start of a run: the mode's timers that are due or nearly due re-arm it (see nudgeIfDue). */
    static void nudgeNearDue(CfLoop loop, RunLoop.Mode mode) {
        if (!NUDGES || loop.timers.isEmpty()) return;
        for (CfTimer t : loop.timers) {
            if (t.activeIn(mode)) t.nudgeIfDue();
        }
    }

    private static final double NEAR_SECONDS = 0.0015;
    private static final long WATCHDOG_SLACK_NANOS = 5_000_000;
    private volatile long fires;
    private volatile java.util.concurrent.ScheduledFuture<?> watchdog;   // cancelled with the timer: it holds it

    /**
     * OpenCFLite only: a check {@link #WATCHDOG_SLACK_NANOS} after the timer should have fired; a timer that has
     * not (its mode's kqueue timer disarmed, or its wake-up swallowed by another mode's run) is nudged, which
     * re-arms its mode. Only late timers are touched, so none is ever starved.
     */
    private void watch() {
        if (!NUDGES || !isValid()) return;
        long seen = fires;
        double next;
        synchronized (lock) {
            if (!isValid() || timer == null) return;
            next = CF.CFRunLoopTimerGetNextFireDate(timer);
        }
        long delay = Math.max(0, (long) ((next - CF.CFAbsoluteTimeGetCurrent()) * 1e9)) + WATCHDOG_SLACK_NANOS;
        java.util.concurrent.ScheduledFuture<?> previous = watchdog;
        if (previous != null) previous.cancel(false);
        watchdog = CfLoop.later(delay, () -> {
            if (!isValid() || fires != seen) return;
            nudgeIfDue();
            watch();
        });
        if (!isValid()) watchdog.cancel(false);
    }

    @Override
    protected void modeAdded(RunLoop.Mode mode) {
        synchronized (lock) {
            if (!isValid() || timer == null) return;
            // OpenCFLite leaves a mode unarmed for a timer already due, then HALTs when that mode is disarmed.
            if (NUDGES) nudgeIfDue();
            CF.CFRunLoopAddTimer(cfLoop.cfRunLoop, timer, cfLoop.modeString(mode));
        }
    }

    @Override
    protected void modeRemoved(RunLoop.Mode mode) {
        synchronized (lock) {
            if (isValid() && timer != null) CF.CFRunLoopRemoveTimer(cfLoop.cfRunLoop, timer, cfLoop.modeString(mode));
        }
    }

}
