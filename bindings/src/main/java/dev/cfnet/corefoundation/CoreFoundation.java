package dev.cfnet.corefoundation;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import dev.cfnet.cf.CfProvider;
import dev.cfnet.spi.LoopAccess;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;

/**
 * What only the CoreFoundation backend ({@link Backend#CF}) offers: the process's main run loop, CFRunLoops that other
 * native code owns, a loop's CFRunLoopRef, and which CoreFoundation loaded. The rest of the API is the same on every
 * backend.
 */
public final class CoreFoundation {
    private CoreFoundation() {
    }

    private static CfProvider provider() {
        Optional<String> why = Backend.CF.unavailableReason();
        if (why.isPresent()) throw new IllegalStateException("the CF backend is not available: " + why.get());
        return new CfProvider();
    }

    /**
     * The process's main run loop (CFRunLoopGetMain): on macOS its callbacks arrive on the main (AppKit) thread,
     * which whoever owns it runs. cfnet schedules sources on it; it never runs it, except when
     * {@link RunLoop#runInMode} is called on that thread.
     *
     * @return a loop that schedules on the main CFRunLoop; close it to take cfnet's sources off
     * @throws IllegalStateException when the CF backend is not available
     */
    public static RunLoop mainRunLoop() {
        CfProvider p = provider();
        return LoopAccess.get().newLoop("main", Backend.CF, p::main);
    }

    /**
     * Adopts a CFRunLoopRef handed over by other native code: cfnet schedules its sources there and retains the run
     * loop until {@link RunLoop#close()}.
     *
     * @param name      a name for the loop (logs, {@link RunLoop#toString()})
     * @param cfRunLoop a {@code CFRunLoopRef}
     * @return a loop that schedules on that CFRunLoop; the native code that owns it runs it
     * @throws IllegalStateException    when the CF backend is not available
     * @throws IllegalArgumentException when {@code cfRunLoop} is NULL or {@code name} is blank
     */
    public static RunLoop adopt(String name, MemorySegment cfRunLoop) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cfRunLoop, "cfRunLoop");
        CfProvider p = provider();
        return LoopAccess.get().newLoop(name, Backend.CF, l -> p.adopt(l, cfRunLoop));
    }

    /**
     * The CFRunLoopRef a CF-backend loop schedules on, for native code that adds sources of its own. cfnet retains
     * it until the loop is closed.
     *
     * @param loop a loop of the CF backend, not closed
     * @return its {@code CFRunLoopRef}
     * @throws IllegalArgumentException when {@code loop} is another backend's
     * @throws IllegalStateException    when the loop is closed
     */
    public static MemorySegment runLoopRef(RunLoop loop) {
        Objects.requireNonNull(loop, "loop");
        if (loop.backend() != Backend.CF) {
            throw new IllegalArgumentException("run loop '" + loop.name() + "' is a " + loop.backend() + " loop");
        }
        if (loop.isClosed()) throw new IllegalStateException("run loop '" + loop.name() + "' is closed");
        return CfProvider.runLoopRef(LoopAccess.get().driver(loop));
    }

    /**
     * Which CoreFoundation the CF backend loaded, and from where.
     *
     * @return e.g. "Apple CoreFoundation 1953.3 with CFNetwork (...)"; empty when none can load here
     */
    public static Optional<String> implementation() {
        return Backend.CF.implementation();
    }
}
