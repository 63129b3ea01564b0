package dev.cfnet.cf;

import dev.cfnet.IdleStrategy;
import dev.cfnet.RunLoop;
import dev.cfnet.spi.BackendProvider;
import dev.cfnet.spi.LoopDriver;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** The CoreFoundation backend: available where CoreFoundation loads. */
public final class CfProvider implements BackendProvider {
    public static final CfProvider INSTANCE = new CfProvider();

    private CfProvider() {
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

    @Override
    public LoopDriver adopt(RunLoop owner, MemorySegment cfRunLoop) {
        if (cfRunLoop == null || cfRunLoop.address() == 0) {
            throw new IllegalArgumentException("the CFRunLoopRef is NULL");
        }
        return new CfLoop(owner, IdleStrategy.park(), cfRunLoop);
    }

    @Override
    public LoopDriver main(RunLoop owner) {
        return new CfLoop(owner, IdleStrategy.park(), dev.cfnet.cf.ffi.CF.CFRunLoopGetMain());
    }
}
