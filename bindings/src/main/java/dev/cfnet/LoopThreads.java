package dev.cfnet;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** The threads of loops: each thread's own loop ({@link RunLoop#current()}), and library-owned loop threads. */
final class LoopThreads {
    private static final System.Logger LOG = System.getLogger("dev.cfnet");
    private static final ThreadLocal<RunLoop> CURRENT = new ThreadLocal<>();

    private LoopThreads() {
    }

    /** This thread's loop, or null when it has none (or it is closed). */
    static RunLoop current() {
        RunLoop loop = CURRENT.get();
        return loop != null && !loop.isClosed() ? loop : null;
    }

    static RunLoop setCurrent(RunLoop loop) {
        CURRENT.set(loop);
        return loop;
    }

    static void clearCurrent() {
        CURRENT.remove();
    }

    /**
     * Starts a daemon thread named {@code name} that makes a loop with {@code make} and runs it until it is closed;
     * returns the loop once made, or throws what making it threw.
     */
    static RunLoop start(String name, Supplier<RunLoop> make) {
        CompletableFuture<RunLoop> started = new CompletableFuture<>();
        Thread.ofPlatform().name(name).daemon(true).start(() -> {
            RunLoop loop;
            try {
                loop = make.get();
            } catch (Throwable t) {
                started.completeExceptionally(t);
                return;
            }
            CURRENT.set(loop);
            started.complete(loop);
            runUntilClosed(loop);
        });
        try {
            return started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    private static void runUntilClosed(RunLoop loop) {
        try {
            while (!loop.isClosed()) {
                try {
                    loop.driver().runInMode(RunLoop.Mode.DEFAULT, Long.MAX_VALUE, false, true);
                } catch (Throwable t) {
                    // The loop itself failed, not a callback (those are caught inside): log, and go on.
                    LOG.log(Level.ERROR, "run loop '" + loop.name() + "' failed; running it again", t);
                }
            }
        } finally {
            try {
                loop.driver().close();
            } finally {
                CURRENT.remove();
            }
        }
    }
}
