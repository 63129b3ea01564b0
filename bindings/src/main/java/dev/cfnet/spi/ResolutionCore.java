package dev.cfnet.spi;

import dev.cfnet.Host;
import dev.cfnet.ResolveResult;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A name resolution on a loop: pending until its result is delivered on the loop or it is cancelled. This class
 * resolves on worker threads ({@link ThreadedResolver}) and hands the result to the loop; a backend with a
 * resolver of its own (CF's CFHost) overrides {@link #begin} and {@link #released}.
 */
public class ResolutionCore extends ScheduledSource implements ResolutionDriver {
    protected final LoopCore loop;
    protected final Host.Resolution owner;
    protected final String name;
    private final Consumer<ResolveResult> callback;
    private volatile boolean pending = true;
    private volatile Future<?> work;

    public ResolutionCore(LoopCore loop, Host.Resolution owner, String name, Consumer<ResolveResult> callback) {
        super(loop.sources);
        this.loop = loop;
        this.owner = owner;
        this.name = name;
        this.callback = callback;
    }

    @Override
    public final void start() {
        register();
        begin();
    }

    /** Starts resolving: here on the worker threads. */
    protected void begin() {
        resolveOnWorkers();
    }

    /** Resolves on the worker threads; the result reaches the loop through its internal queue. */
    protected final void resolveOnWorkers() {
        work = ThreadedResolver.submit(name, result -> loop.post(() -> deliver(result)));
    }

    /** Loop thread: hands the result to the callback, once, unless cancelled. */
    protected final void deliver(ResolveResult result) {
        loop.guard.enter(this);
        try {
            synchronized (this) {
                if (!pending) return;
                pending = false;
            }
            unregister();
            released(false);
            loop.callOut(owner, () -> callback.accept(result));
        } finally {
            loop.guard.exit();
        }
    }

    /** The resolution ended (delivered, or {@code cancelled}): give back what it holds. */
    protected void released(boolean cancelled) {
        Future<?> w = work;
        if (cancelled && w != null) w.cancel(false);
    }

    @Override
    public final boolean isPending() {
        return pending;
    }

    @Override
    public final boolean isValid() {
        return pending;
    }

    @Override
    public final void cancel() {
        synchronized (this) {
            if (!pending) return;
            pending = false;
        }
        unregister();
        loop.guard.awaitNotDispatching(this, loop.inLoopThread());
        released(true);
    }

    @Override
    public final void invalidate() {
        cancel();
    }

    @Override
    public String toString() {
        return owner.toString();
    }
}
