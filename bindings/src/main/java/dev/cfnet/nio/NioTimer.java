package dev.cfnet.nio;

import dev.cfnet.Timer;
import dev.cfnet.spi.TimerCore;

/** A timer in the loop's heap. Deadline and heap index belong to the loop thread. */
final class NioTimer extends TimerCore {
    private final NioLoop nioLoop;
    long deadline;
    int heapIndex = -1;

    NioTimer(NioLoop loop, Timer owner, Runnable task, long delay, long interval) {
        super(loop, owner, task, delay, interval);
        this.nioLoop = loop;
    }

    @Override
    public void start() {
        register();
        long at = System.nanoTime() + delay;
        loop.onLoop(() -> {
            if (!isValid()) return;
            deadline = at;
            nioLoop.timers.add(this);
        });
    }

    /** Loop thread: runs the task and reschedules a repeating timer at its fixed rate. */
    void fire(long now) {
        if (!fire()) return;
        long next = deadline + interval;
        if (next - now <= 0) {
            // Fell behind: skip the missed firings, keep the phase.
            long behind = now - deadline;
            next = now + interval - (behind % interval);
        }
        deadline = next;
        nioLoop.timers.add(this);
    }

    @Override
    protected void cancel() {
        loop.onLoop(() -> nioLoop.timers.remove(this));
    }

    @Override
    public void setNextFire(long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        loop.onLoop(() -> {
            if (!isValid()) return;
            deadline = at;
            nioLoop.timers.update(this);
        });
        nioLoop.wakeUp();
    }
}
