package dev.cfnet.nio;

import dev.cfnet.Host;
import dev.cfnet.ResolveResult;
import dev.cfnet.spi.Callbacks;
import dev.cfnet.spi.ResolutionDriver;
import dev.cfnet.spi.ThreadedResolver;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/** A name resolved on a worker thread, its result delivered on the loop. */
final class NioResolution extends NioSource implements ResolutionDriver {
    private final Host.Resolution owner;
    private final Consumer<ResolveResult> callback;
    private final String name;
    private volatile boolean pending = true;
    private volatile Future<?> work;

    NioResolution(NioLoop loop, Host.Resolution owner, String name, Consumer<ResolveResult> callback) {
        super(loop);
        this.owner = owner;
        this.name = name;
        this.callback = callback;
    }

    @Override
    public void start() {
        register();
        work = ThreadedResolver.submit(name, result -> loop.post(() -> deliver(result)));
    }

    private void deliver(ResolveResult result) {
        loop.guard.enter(this);
        try {
            synchronized (this) {
                if (!pending) return;
                pending = false;
            }
            unregister();
            try {
                callback.accept(result);
            } catch (Throwable t) {
                Callbacks.failed(loop.owner, owner, t);
            }
        } finally {
            loop.guard.exit();
        }
    }

    @Override
    public boolean isPending() {
        return pending;
    }

    @Override
    public boolean isValid() {
        return pending;
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (!pending) return;
            pending = false;
        }
        unregister();
        loop.guard.awaitNotDispatching(this, loop.inLoop());
        Future<?> w = work;
        if (w != null) w.cancel(false);
    }

    @Override
    public void invalidate() {
        cancel();
    }

    @Override
    public String toString() {
        return owner.toString();
    }
}
