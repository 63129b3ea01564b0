package dev.cfnet.spi;

import dev.cfnet.IdleStrategy;
import dev.cfnet.RunLoop;
import java.util.Optional;

/** One backend: makes run loops, which make everything else. */
public interface BackendProvider {

    /** Empty when the backend can run here; otherwise why not, in a sentence a user can act on. */
    Optional<String> unavailableReason();

    /**
     * A loop driver for the calling thread, which becomes the loop's thread.
     *
     * @param owner the public loop object the driver reports to
     */
    LoopDriver newLoop(RunLoop owner, IdleStrategy idle);
}
