package dev.cfnet.spi;

import dev.cfnet.RunLoop;
import dev.cfnet.RunLoopSource;
import java.lang.System.Logger.Level;

/** Routing of callback failures to the loop's handler; nothing thrown by user code leaves the loop. */
public final class Callbacks {
    private static final System.Logger LOG = System.getLogger("dev.cfnet");

    private Callbacks() {
    }

    /** Hands a callback's throwable to the loop's handler; if the handler throws too, logs both. */
    public static void failed(RunLoop loop, RunLoopSource source, Throwable error) {
        try {
            loop.errorHandler().callbackFailed(loop, source, error);
        } catch (Throwable second) {
            try {
                second.addSuppressed(error);
                LOG.log(Level.ERROR, "error handler of run loop '" + loop.name() + "' threw", second);
            } catch (Throwable ignored) {
                // Logging failed (e.g. out of memory): nothing left to try, and the loop must go on.
            }
        }
    }
}
