package dev.cfnet.spi;

import dev.cfnet.Backend;
import dev.cfnet.IdleStrategy;
import dev.cfnet.RunLoop;
import java.util.Optional;

/**
 * One backend: makes run loops, which make everything else. Found with {@link java.util.ServiceLoader} (module-info
 * {@code provides}, and META-INF/services on the class path); implementations have a public no-argument constructor.
 */
public interface BackendProvider {

    /** The backend this provides. */
    Backend backend();

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

}
