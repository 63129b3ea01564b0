package dev.cfnet.tls;

import dev.cfnet.RunLoop;
import java.lang.System.Logger.Level;

/**
 * The way from a TLS socket to code outside it: calls of its {@link TlsHandler}, and the tasks it runs on the loop.
 * Once {@link #close closed} (by {@link TlsSocket#invalidate()}) none of them starts, and {@link #awaitIdle} waits
 * for one under way on the loop. What they throw goes to the loop's error handler with the TLS socket as the
 * source; the loop goes on.
 */
final class CallbackGate {
    private static final System.Logger LOG = System.getLogger("dev.cfnet.tls");

    private final TlsSocket tls;
    private final RunLoop loop;
    private final TlsHandler handler;
    private final Object guard = new Object();

    // Guarded by guard (closed is read without it, too).
    private volatile boolean closed;
    private int tasksRunning;

    CallbackGate(TlsSocket tls, RunLoop loop, TlsHandler handler) {
        this.tls = tls;
        this.loop = loop;
        this.handler = handler;
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes the gate; false when it was closed already. */
    boolean close() {
        synchronized (guard) {
            if (closed) return false;
            closed = true;
            return true;
        }
    }

    /** Off the loop thread: waits for the guarded task under way, if any (on the loop thread that is the caller). */
    void awaitIdle() {
        if (loop.inLoopThread()) return;
        synchronized (guard) {
            boolean interrupted = false;
            while (tasksRunning > 0) {
                try {
                    guard.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Loop thread: hands {@code event} to the handler, unless the gate is closed. */
    void deliver(TlsEvent event) {
        if (closed) return;   // invalidate() ran while this thread waited for the lock: no more callbacks
        try {
            handler.handle(tls, event);
        } catch (Throwable t) {
            callbackFailed(t);
        }
    }

    /**
     * Runs {@code task} on the loop, {@link #guarded}.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the loop is closed
     */
    void execute(Runnable task) {
        loop.execute(guarded(task));
    }

    /** A task for the loop that does not start once the gate is closed, and that {@link #awaitIdle} waits for. */
    Runnable guarded(Runnable task) {
        return () -> {
            synchronized (guard) {
                if (closed) return;
                tasksRunning++;
            }
            try {
                task.run();
            } catch (Throwable t) {
                callbackFailed(t);
            } finally {
                synchronized (guard) {
                    tasksRunning--;
                    guard.notifyAll();
                }
            }
        };
    }

    private void callbackFailed(Throwable t) {
        try {
            loop.errorHandler().callbackFailed(loop, tls, t);
        } catch (Throwable second) {
            try {
                second.addSuppressed(t);
                LOG.log(Level.ERROR, "error handler of run loop '" + loop.name() + "' threw", second);
            } catch (Throwable ignored) {
                // Logging failed too (out of memory): the loop must go on.
            }
        }
    }
}
