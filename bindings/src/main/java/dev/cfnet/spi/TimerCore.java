package dev.cfnet.spi;

import dev.cfnet.Timer;

/** What every backend's timer shares: firing, the one-shot rule, and invalidation; a backend arms and cancels it. */
public abstract class TimerCore extends ScheduledSource implements TimerDriver {
    protected final LoopCore loop;
    protected final Timer owner;
    private final Runnable task;
    protected final long delay;
    protected final long interval;
    private volatile boolean valid = true;

    protected TimerCore(LoopCore loop, Timer owner, Runnable task, long delay, long interval) {
        super(loop.sources);
        this.loop = loop;
        this.owner = owner;
        this.task = task;
        this.delay = delay;
        this.interval = interval;
    }

    /**
     * Loop thread: runs the task, unless invalidated meanwhile. A one-shot timer is spent afterwards, as CF's.
     *
     * @return true when the timer is still valid and repeats
     */
    protected final boolean fire() {
        loop.guard.enter(this);
        try {
            if (!valid) return false;
            loop.callOut(owner, task::run);
        } finally {
            loop.guard.exit();
        }
        if (interval == 0) {
            invalidate();
            return false;
        }
        return valid;
    }

    /** After the timer was invalidated and no firing runs any more: take it off the loop. */
    protected abstract void cancel();

    @Override
    public final boolean isValid() {
        return valid;
    }

    @Override
    public final void invalidate() {
        synchronized (this) {
            if (!valid) return;
            valid = false;
        }
        unregister();
        loop.guard.awaitNotDispatching(this, loop.inLoopThread());
        cancel();
    }

    @Override
    public String toString() {
        return owner.toString();
    }
}
