package dev.cfnet.nio;

import dev.cfnet.Backend;
import dev.cfnet.SocketType;
import dev.cfnet.spi.OwnedHandle;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.OptionalInt;

/** A channel with one owner at a time (see {@link OwnedHandle}). */
final class NioSocketHandle extends OwnedHandle {
    final SelectableChannel channel;
    private final ProtocolFamily family;

    private NioSocketHandle(SelectableChannel channel, ProtocolFamily family, boolean adopted) {
        super(adopted);
        this.channel = channel;
        this.family = family;
    }

    /** A connection nobody drives yet (accepted). */
    static NioSocketHandle accepted(SelectableChannel channel, ProtocolFamily family) {
        return new NioSocketHandle(channel, family, false);
    }

    /** The channel of a socket cfnet created. */
    static NioSocketHandle adopted(SelectableChannel channel, ProtocolFamily family) {
        return new NioSocketHandle(channel, family, true);
    }

    @Override
    public boolean listening() {
        return channel instanceof ServerSocketChannel;
    }

    @Override
    protected void closeNative() {
        try {
            channel.close();
        } catch (IOException e) {
            NioLoop.LOG.log(System.Logger.Level.DEBUG, "closing " + channel, e);
        }
    }

    @Override
    protected boolean nativeOpen() {
        return channel.isOpen();
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
    public OptionalInt fileDescriptor() {
        return OptionalInt.empty();
    }

    @Override
    protected String describe() {
        return String.valueOf(channel);
    }
}
