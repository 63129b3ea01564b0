package dev.cfnet.nio;

import dev.cfnet.Backend;
import dev.cfnet.IdleStrategy;
import dev.cfnet.RunLoop;
import dev.cfnet.spi.BackendProvider;
import dev.cfnet.spi.LoopDriver;
import java.util.Optional;

/** The pure-Java backend. Always available. */
public final class NioProvider implements BackendProvider {
    /** For {@link java.util.ServiceLoader}. */
    public NioProvider() {
    }

    @Override
    public Backend backend() {
        return Backend.NIO;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    @Override
    public Optional<String> implementation() {
        return Optional.of("Java NIO (" + java.nio.channels.spi.SelectorProvider.provider().getClass().getName() + ")");
    }

    @Override
    public LoopDriver newLoop(RunLoop owner, IdleStrategy idle) {
        return new NioLoop(owner, Thread.currentThread(), idle);
    }
}
