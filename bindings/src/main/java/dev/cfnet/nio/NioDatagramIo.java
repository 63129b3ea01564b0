package dev.cfnet.nio;

import static dev.cfnet.spi.CallBackBits.DATA;
import static dev.cfnet.spi.CallBackBits.READ;

import dev.cfnet.SocketErrorException;
import dev.cfnet.spi.SocketCore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/** A UDP socket's channel: one datagram per DATA event (at most 64 KiB, as CF's), READ, WRITE. */
final class NioDatagramIo extends NioChannelIo {
    private final DatagramChannel dc;
    private ByteBuffer view;

    NioDatagramIo(NioLoop loop, SocketCore core, DatagramChannel dc, NioSocketHandle handle) {
        super(loop, core, dc, handle);
        this.dc = dc;
    }

    @Override
    int interestOps() {
        // An unconnected datagram socket receives from anyone.
        return (core.readArmed() ? SelectionKey.OP_READ : 0) | (core.writeWanted() ? SelectionKey.OP_WRITE : 0);
    }

    @Override
    void ready(int ops) {
        if ((ops & SelectionKey.OP_READ) != 0 && core.readArmed()) {
            if (core.readType() == DATA) {
                read();
            } else if (core.readType() == READ) {
                core.readable();
            }
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && core.isValid()) core.writable();
    }

    private void read() {
        ByteBuffer buf = loop.datagramBuffer();
        buf.clear();
        SocketAddress from;
        try {
            from = dc.receive(buf);
        } catch (IOException e) {
            core.datagramError(Errors.of(e));
            return;
        }
        if (from == null) return;
        if (view == null) view = buf.asReadOnlyBuffer();
        view.limit(buf.position()).position(0);
        core.data(view, (InetSocketAddress) from);
    }

    @Override
    public void connectDatagram(InetSocketAddress remote) throws SocketErrorException {
        try {
            dc.connect(remote);
        } catch (IOException e) {
            throw new SocketErrorException("connect to " + remote, Errors.of(e), 0, e);
        }
    }

    @Override
    public int trySend(ByteBuffer data, InetSocketAddress to) throws SocketErrorException {
        try {
            return to == null ? dc.write(data) : dc.send(data, to);
        } catch (IOException e) {
            throw new SocketErrorException("send", Errors.of(e), 0, e);
        }
    }

    @Override
    public dev.cfnet.spi.WriteQueue.Sink sink() {
        throw new UnsupportedOperationException("the write queue is for STREAM sockets");
    }

    @Override
    public int receive(ByteBuffer dst) {
        throw new UnsupportedOperationException("use receiveFrom(dst) on a DATAGRAM socket");
    }

    @Override
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException {
        try {
            return (InetSocketAddress) dc.receive(dst);
        } catch (IOException e) {
            throw new SocketErrorException("receiveFrom", Errors.of(e), 0, e);
        }
    }

    @Override
    public void shutdownOutput() {
        throw new UnsupportedOperationException("shutdownOutput needs a STREAM socket");
    }
}
