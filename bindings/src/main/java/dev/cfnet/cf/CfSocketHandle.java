package dev.cfnet.cf;

import dev.cfnet.Backend;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketType;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/** A native descriptor with one owner at a time: free (claimable), adopted by a socket, or closed. */
final class CfSocketHandle implements SocketHandle {
    private static final int FREE = 0;
    private static final int ADOPTED = 1;
    private static final int CLOSED = 2;

    private final int fd;
    private final ProtocolFamily family;
    private final SocketType type;
    private final AtomicInteger state;
    private volatile boolean listening;
    private volatile InetSocketAddress peer;

    private CfSocketHandle(int fd, ProtocolFamily family, SocketType type, int state, InetSocketAddress peer) {
        this.fd = fd;
        this.family = family;
        this.type = type;
        this.state = new AtomicInteger(state);
        this.peer = peer;
    }

    /** A connection CF accepted; nobody owns it until a socket wraps it. */
    static CfSocketHandle accepted(int fd, ProtocolFamily family, InetSocketAddress peer) {
        return new CfSocketHandle(fd, family, SocketType.STREAM, FREE, peer);
    }

    /** The descriptor of a socket cfnet created. */
    static CfSocketHandle adopted(int fd, ProtocolFamily family, SocketType type) {
        return new CfSocketHandle(fd, family, type, ADOPTED, null);
    }

    int fd() {
        return fd;
    }

    boolean listening() {
        return listening;
    }

    InetSocketAddress peer() {
        return peer;
    }

    boolean claim() {
        return state.compareAndSet(FREE, ADOPTED);
    }

    /** The socket let go of the descriptor without closing it. */
    void release(boolean listening, InetSocketAddress peer) {
        this.listening = listening;
        this.peer = peer;
        state.compareAndSet(ADOPTED, FREE);
    }

    /** The socket closed (or CF closed) the descriptor. */
    void markClosed() {
        state.set(CLOSED);
    }

    /** Closes the descriptor whoever holds it (a socket that could not go on). */
    void closeNow() {
        if (state.getAndSet(CLOSED) != CLOSED) Fds.close(fd);
    }

    @Override
    public Backend backend() {
        return Backend.CF;
    }

    @Override
    public ProtocolFamily family() {
        return family;
    }

    @Override
    public SocketType type() {
        return type;
    }

    @Override
    public boolean isOpen() {
        return state.get() == FREE;
    }

    @Override
    public OptionalInt fileDescriptor() {
        return state.get() == CLOSED ? OptionalInt.empty() : OptionalInt.of(fd);
    }

    @Override
    public void close() {
        if (state.compareAndSet(FREE, CLOSED)) Fds.close(fd);
    }

    @Override
    public String toString() {
        return "CfSocketHandle[fd " + fd + ", " + switch (state.get()) {
            case FREE -> "free";
            case ADOPTED -> "adopted";
            default -> "closed";
        } + "]";
    }
}
