package dev.cfnet.cf;

import dev.cfnet.Backend;
import dev.cfnet.IdleStrategy;
import dev.cfnet.RunLoop;
import dev.cfnet.spi.BackendProvider;
import dev.cfnet.spi.LoopDriver;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** The CoreFoundation backend: available where CoreFoundation loads. */
public final class CfProvider implements BackendProvider {
    /** For {@link java.util.ServiceLoader}. */
    public CfProvider() {
    }

    @Override
    public Backend backend() {
        return Backend.CF;
    }

    @Override
    public Optional<String> unavailableReason() {
        return CfLibrary.unavailableReason();
    }

    @Override
    public Optional<String> implementation() {
        return CfLibrary.description();
    }

    @Override
    public LoopDriver newLoop(RunLoop owner, IdleStrategy idle) {
        return new CfLoop(owner, idle, null);
    }

    /** A driver for a CFRunLoopRef that someone else runs. */
    public LoopDriver adopt(RunLoop owner, MemorySegment cfRunLoop) {
        if (cfRunLoop == null || cfRunLoop.address() == 0) {
            throw new IllegalArgumentException("the CFRunLoopRef is NULL");
        }
        return new CfLoop(owner, IdleStrategy.park(), cfRunLoop);
    }

    /** The CFRunLoopRef of a CF loop's driver. */
    public static MemorySegment runLoopRef(LoopDriver driver) {
        return ((CfLoop) driver).cfRunLoop;
    }

    /** A driver for the process's main run loop (CFRunLoopGetMain). */
    public LoopDriver main(RunLoop owner) {
        return new CfLoop(owner, IdleStrategy.park(), dev.cfnet.cf.ffi.CF.CFRunLoopGetMain());
    }
}
