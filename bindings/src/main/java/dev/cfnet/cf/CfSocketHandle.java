package dev.cfnet.cf;

import dev.cfnet.Backend;
import dev.cfnet.SocketType;
import dev.cfnet.spi.OwnedHandle;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.util.OptionalInt;

/** A native descriptor with one owner at a time (see {@link OwnedHandle}); remembers what it was for a re-wrap. */
final class CfSocketHandle extends OwnedHandle {
    private final int fd;
    private final ProtocolFamily family;
    private final SocketType type;
    private volatile boolean listening;
    private volatile InetSocketAddress peer;

    private CfSocketHandle(int fd, ProtocolFamily family, SocketType type, boolean adopted, InetSocketAddress peer) {
        super(adopted);
        this.fd = fd;
        this.family = family;
        this.type = type;
        this.peer = peer;
    }

    /** A connection CF accepted; nobody owns it until a socket wraps it. */
    static CfSocketHandle accepted(int fd, ProtocolFamily family, InetSocketAddress peer) {
        return new CfSocketHandle(fd, family, SocketType.STREAM, false, peer);
    }

    /** The descriptor of a socket cfnet created. */
    static CfSocketHandle adopted(int fd, ProtocolFamily family, SocketType type) {
        return new CfSocketHandle(fd, family, type, true, null);
    }

    int fd() {
        return fd;
    }

    InetSocketAddress peer() {
        return peer;
    }

    /** The socket let go of the descriptor without closing it, listening or connected to {@code peer}. */
    void releaseAs(boolean listening, InetSocketAddress peer) {
        this.listening = listening;
        this.peer = peer;
        release();
    }

    @Override
    public boolean listening() {
        return listening;
    }

    @Override
    protected void closeNative() {
        Fds.close(fd);
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
    public OptionalInt fileDescriptor() {
        return isClosed() ? OptionalInt.empty() : OptionalInt.of(fd);
    }

    @Override
    protected String describe() {
        return "fd " + fd;
    }
}
