package dev.cfnet.spi;

import dev.cfnet.SocketHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A native socket with one owner at a time: free (claimable by {@code Socket.wrap}), adopted by a socket, or closed.
 * Backends supply what closing means and whether the socket listens.
 */
public abstract class OwnedHandle implements SocketHandle {
    private static final int FREE = 0;
    private static final int ADOPTED = 1;
    private static final int CLOSED = 2;

    private final AtomicInteger state;

    /** @param adopted true for a socket's own descriptor, false for one handed over (an accepted connection) */
    protected OwnedHandle(boolean adopted) {
        state = new AtomicInteger(adopted ? ADOPTED : FREE);
    }

    /** True when the handle listens (then only an ACCEPT socket can wrap it). */
    public abstract boolean listening();

    /** Closes the native socket; called once, by whoever owns it at the time. */
    protected abstract void closeNative();

    /** True while the native socket is still open (apart from the ownership state). */
    protected boolean nativeOpen() {
        return true;
    }

    /** Makes a socket the owner; false when the handle is closed or owned already. */
    public final boolean claim() {
        return state.compareAndSet(FREE, ADOPTED);
    }

    /** The owning socket let go of the native socket without closing it: free to wrap again. */
    public final void release() {
        state.compareAndSet(ADOPTED, FREE);
    }

    /** The owning socket closed the native socket. */
    public final void markClosed() {
        state.set(CLOSED);
    }

    /** Closes the native socket whoever owns it (a socket that cannot go on). */
    public final void closeNow() {
        if (state.getAndSet(CLOSED) != CLOSED) closeNative();
    }

    /** True until closed, adopted or released as closed. */
    protected final boolean isClosed() {
        return state.get() == CLOSED;
    }

    @Override
    public final boolean isOpen() {
        return state.get() == FREE && nativeOpen();
    }

    @Override
    public final void close() {
        if (state.compareAndSet(FREE, CLOSED)) closeNative();
    }

    /** What the handle holds, for toString. */
    protected abstract String describe();

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "[" + describe() + ", " + switch (state.get()) {
            case FREE -> "free";
            case ADOPTED -> "adopted";
            default -> "closed";
        } + "]";
    }
}
