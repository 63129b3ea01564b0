package dev.cfnet;

import java.lang.System.Logger.Level;

/**
 * Receives what callbacks throw, on the loop thread. The loop survives whatever happens here.
 */
@FunctionalInterface
public interface CallbackErrorHandler {

    /**
     * Called on the loop thread after a callback threw. What this method throws in turn is logged, and the loop
     * goes on.
     *
     * @param loop   the loop that ran the callback
     * @param source the socket, timer or resolution whose callback threw; null for a task given to
     *               {@link RunLoop#execute}
     * @param error  what it threw
     */
    void callbackFailed(RunLoop loop, RunLoopSource source, Throwable error);

    /**
     * The default: log through {@link System.Logger} ("dev.cfnet", level WARNING, with the stack trace) and
     * invalidate the source whose callback threw. A program, or a test, that expects a callback to throw installs a
     * handler of its own with {@link RunLoop#setErrorHandler}.
     *
     * @return the handler every new loop starts with
     */
    static CallbackErrorHandler logAndInvalidate() {
        return (loop, source, error) -> {
            System.getLogger("dev.cfnet").log(Level.WARNING,
                    () -> "callback of " + (source == null ? "a task" : source) + " on run loop '" + loop.name()
                            + "' threw; " + (source == null ? "going on" : "invalidating it"), error);
            if (source != null) {
                source.invalidate();
            }
        };
    }
}
