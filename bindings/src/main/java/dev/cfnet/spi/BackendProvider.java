package dev.cfnet.spi;

import dev.cfnet.IdleStrategy;
import dev.cfnet.RunLoop;
import java.util.Optional;

/** One backend: makes run loops, which make everything else. */
public interface BackendProvider {

    /** Empty when the backend can run here; otherwise why not, in a sentence a user can act on. */
    Optional<String> unavailableReason();

    /** What runs underneath when available, e.g. which CoreFoundation loaded and from where. */
    Optional<String> implementation();

    /**
     * A loop driver for the calling thread, which becomes the loop's thread.
     *
     * @param owner the public loop object the driver reports to
     */
    LoopDriver newLoop(RunLoop owner, IdleStrategy idle);

    /** A driver for a native run loop that someone else runs (CF's CFRunLoopRef). */
    default LoopDriver adopt(RunLoop owner, java.lang.foreign.MemorySegment nativeLoop) {
        throw new UnsupportedOperationException("this backend has no native run loops to adopt; use Backend.CF");
    }

    /** A driver for the process's main run loop. */
    default LoopDriver main(RunLoop owner) {
        throw new UnsupportedOperationException("this backend has no main run loop; use RunLoop.start or "
                + "RunLoop.current, or Backend.CF");
    }
}
