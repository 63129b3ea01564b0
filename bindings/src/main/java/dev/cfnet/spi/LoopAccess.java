package dev.cfnet.spi;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import java.lang.invoke.MethodHandles;
import java.util.function.Function;

/**
 * How this module's code outside {@code dev.cfnet} (the CF-only entry points) makes a RunLoop over a driver of its
 * own and reaches a loop's driver: RunLoop keeps its constructors to itself and hands this access over once.
 */
public final class LoopAccess {
    /** What RunLoop offers the rest of the module. */
    public interface Access {
        /** A loop that is not library-owned (its thread is someone else's) over {@code driver}. */
        RunLoop newLoop(String name, Backend backend, Function<RunLoop, LoopDriver> driver);

        LoopDriver driver(RunLoop loop);
    }

    private static volatile Access access;

    private LoopAccess() {
    }

    /** RunLoop's class initialiser, once. */
    public static void install(Access a) {
        access = a;
    }

    public static Access get() {
        try {
            MethodHandles.lookup().ensureInitialized(RunLoop.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return access;
    }
}
