package dev.cfnet;

/**
 * Something scheduled on a {@link RunLoop}: a {@link Socket}, a {@link Timer} or a {@link Host.Resolution}.
 * While valid it keeps {@link RunLoop#run()} from finishing. Invalidating is idempotent and safe from any thread;
 * once {@link #invalidate()} returns, no callback of the source starts.
 */
public interface RunLoopSource extends AutoCloseable {

    /** The loop the source is scheduled on. */
    RunLoop loop();

    /** True until invalidated. */
    boolean isValid();

    /** Removes the source from its loop and releases what it holds. */
    void invalidate();

    /** Same as {@link #invalidate()}. */
    @Override
    default void close() {
        invalidate();
    }
}
