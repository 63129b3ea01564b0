package dev.cfnet.spi;

/**
 * Makes "no callback starts after invalidate() returns" hold across threads. The loop thread publishes the source
 * whose callback it is about to run ({@link #enter}), then checks the source is still valid; another thread's
 * invalidate marks the source invalid, then waits while it is the one published. Volatile accesses are
 * sequentially consistent, so one of the two always sees the other.
 */
public final class DispatchGuard {
    private volatile Object current;

    /** Loop thread, before checking validity and calling out. */
    public void enter(Object source) {
        current = source;
    }

    /** Loop thread, after the callouts. */
    public void exit() {
        current = null;
    }

    /**
     * Waits until no callback of {@code source} runs. Not on the loop thread itself (a callback invalidating its
     * own source must not wait for itself).
     */
    public void awaitNotDispatching(Object source, boolean onLoopThread) {
        if (onLoopThread) return;
        int spins = 0;
        while (current == source) {
            if (++spins < 1000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
