package dev.cfnet;

/**
 * Something scheduled on a {@link RunLoop}: a {@link Socket}, a {@link Timer} or a {@link Host.Resolution}.
 * While valid it keeps {@link RunLoop#run()} from finishing. Invalidating is idempotent and safe from any thread;
 * once {@link #invalidate()} returns, no callback of the source starts.
 */
public interface RunLoopSource extends AutoCloseable {

    /**
     * The loop the source is scheduled on.
     *
     * @return the loop whose thread runs the source's callbacks
     */
    RunLoop loop();

    /**
     * True until invalidated: by {@link #invalidate()}, by the loop's {@link RunLoop#close()}, or by the source
     * itself (a one-shot timer after it fired, a resolution once its result was delivered, a stream socket after end
     * of stream).
     *
     * @return whether the source is still scheduled
     */
    boolean isValid();

    /** Removes the source from its loop and releases what it holds. */
    void invalidate();

    /** Same as {@link #invalidate()}. */
    @Override
    default void close() {
        invalidate();
    }
}
