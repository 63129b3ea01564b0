package dev.cfnet.bench;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * One benchmark thread waits for another thread (a loop, a server) to say "done". The waiter parks; the other
 * side unparks it. Every implementation that needs a cross-thread hand-back uses this same class, so its cost is
 * the same in every row that has it. Allocation-free.
 */
public final class Signal {
    private final Thread waiter;
    private volatile boolean done;

    /** The waiter is the thread that makes the signal (the benchmark thread, in a thread-scoped state). */
    public Signal() {
        this.waiter = Thread.currentThread();
    }

    /** Waiter: forget the last signal; call before starting the work whose completion is awaited. */
    public void reset() {
        done = false;
    }

    /** Any thread: wake the waiter. */
    public void fire() {
        done = true;
        LockSupport.unpark(waiter);
    }

    /** Waiter: block until {@link #fire}, at most 30 s. */
    public void await() throws TimeoutException, InterruptedException {
        if (done) return;
        long deadline = System.nanoTime() + Net.REPLY_TIMEOUT_NANOS;
        while (!done) {
            LockSupport.parkNanos(this, 1_000_000_000L);
            if (Thread.interrupted()) throw new InterruptedException();
            if (!done && System.nanoTime() - deadline > 0) {
                throw new TimeoutException("no signal within 30 s: the implementation lost an event");
            }
        }
    }
}
