package dev.cfnet.nio;

import dev.cfnet.RunLoop.Mode;
import dev.cfnet.Timer;
import dev.cfnet.spi.Callbacks;
import dev.cfnet.spi.TimerDriver;

/** A timer in the loop's heap. Deadline and heap index belong to the loop thread. */
final class NioTimer extends NioSource implements TimerDriver {
    private final Timer owner;
    private final Runnable task;
    private final long interval;
    private final long delay;
    private volatile boolean valid = true;
    long deadline;
    int heapIndex = -1;

    NioTimer(NioLoop loop, Timer owner, Runnable task, long delay, long interval) {
        super(loop);
        this.owner = owner;
        this.task = task;
        this.delay = delay;
        this.interval = interval;
    }

    @Override
    public void start() {
        register();
        long at = System.nanoTime() + delay;
        loop.onLoop(() -> {
            if (!valid) return;
            deadline = at;
            loop.timers.add(this);
        });
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    /** Runs the task (loop thread) and reschedules a repeating timer; a one-shot timer is spent afterwards. */
    void fire(long now) {
        loop.guard.enter(this);
        try {
            if (!valid) return;
            try {
                task.run();
            } catch (Throwable t) {
                Callbacks.failed(loop.owner, owner, t);
            }
        } finally {
            loop.guard.exit();
        }
        if (!valid) return;
        if (interval > 0) {
            long next = deadline + interval;
            if (next - now <= 0) {
                // Fell behind: skip the missed firings, keep the phase.
                long behind = now - deadline;
                next = now + interval - (behind % interval);
            }
            deadline = next;
            loop.timers.add(this);
        } else {
            invalidate();
        }
    }

    @Override
    public void invalidate() {
        synchronized (this) {
            if (!valid) return;
            valid = false;
        }
        unregister();
        loop.guard.awaitNotDispatching(this, loop.inLoop());
        loop.onLoop(() -> loop.timers.remove(this));
    }

    @Override
    public void setNextFire(long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        loop.onLoop(() -> {
            if (!valid) return;
            deadline = at;
            loop.timers.update(this);
        });
        loop.wakeUp();
    }


    @Override
    public String toString() {
        return owner.toString();
    }
}
