package dev.cfnet.cf;

import dev.cfnet.IdleStrategy;
import dev.cfnet.RunLoop;
import dev.cfnet.spi.BackendProvider;
import dev.cfnet.spi.LoopDriver;
import java.util.Optional;

/** The CoreFoundation backend. */
public final class CfProvider implements BackendProvider {
    public static final CfProvider INSTANCE = new CfProvider();

    private CfProvider() {
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.of("the CF backend is not part of this build yet");
    }

    @Override
    public LoopDriver newLoop(RunLoop owner, IdleStrategy idle) {
        throw new IllegalStateException(unavailableReason().orElseThrow());
    }
}
