package dev.cfnet.nio;

import dev.cfnet.Backend;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketType;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/** A channel with one owner at a time: free (claimable), adopted by a socket, or closed. */
final class NioSocketHandle implements SocketHandle {
    private static final int FREE = 0;
    private static final int ADOPTED = 1;
    private static final int CLOSED = 2;

    final SelectableChannel channel;
    private final ProtocolFamily family;
    private final AtomicInteger state;

    private NioSocketHandle(SelectableChannel channel, ProtocolFamily family, int state) {
        this.channel = channel;
        this.family = family;
        this.state = new AtomicInteger(state);
    }

    /** A handle for a channel nobody drives yet (an accepted connection). */
    static NioSocketHandle free(SelectableChannel channel, ProtocolFamily family) {
        return new NioSocketHandle(channel, family, FREE);
    }

    /** A handle for a channel a socket drives from the start. */
    static NioSocketHandle adopted(SelectableChannel channel, ProtocolFamily family) {
        return new NioSocketHandle(channel, family, ADOPTED);
    }

    /** Takes ownership for a socket; false when closed or owned already. */
    boolean claim() {
        return state.compareAndSet(FREE, ADOPTED);
    }

    /** The socket let go of the channel without closing it (invalidated without CLOSE_ON_INVALIDATE). */
    void release() {
        state.compareAndSet(ADOPTED, FREE);
    }

    /** The socket closed the channel. */
    void markClosed() {
        state.set(CLOSED);
    }

    @Override
    public Backend backend() {
        return Backend.NIO;
    }

    @Override
    public ProtocolFamily family() {
        return family;
    }

    @Override
    public SocketType type() {
        return channel instanceof DatagramChannel ? SocketType.DATAGRAM : SocketType.STREAM;
    }

    @Override
    public boolean isOpen() {
        return state.get() == FREE && channel.isOpen();
    }

    @Override
    public OptionalInt fileDescriptor() {
        return OptionalInt.empty();
    }

    @Override
    public void close() {
        if (state.compareAndSet(FREE, CLOSED)) {
            try {
                channel.close();
            } catch (IOException e) {
                NioLoop.LOG.log(System.Logger.Level.DEBUG, "closing an accepted channel", e);
            }
        }
    }

    @Override
    public String toString() {
        return "NioSocketHandle[" + channel + ", " + switch (state.get()) {
            case FREE -> "free";
            case ADOPTED -> "adopted";
            default -> "closed";
        } + "]";
    }
}
