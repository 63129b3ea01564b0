package dev.cfnet.nio;

import static dev.cfnet.spi.CallBackBits.DATA;
import static dev.cfnet.spi.CallBackBits.READ;

import dev.cfnet.SocketError;
import dev.cfnet.SocketError.Kind;
import dev.cfnet.SocketErrorException;
import dev.cfnet.spi.Connection;
import dev.cfnet.spi.SocketCore;
import dev.cfnet.spi.WriteQueue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A TCP connection's channel: connect, DATA reads into the loop's buffer, READ, WRITE and the write queue. */
final class NioStreamIo extends NioChannelIo {
    private final SocketChannel sc;
    private final WriteQueue.Sink sink;
    private ByteBuffer view;   // read-only view of the loop's stream buffer, made on the first read

    NioStreamIo(NioLoop loop, SocketCore core, SocketChannel sc, NioSocketHandle handle) {
        super(loop, core, sc, handle);
        this.sc = sc;
        this.sink = new WriteQueue.Sink() {
            @Override
            public long write(ByteBuffer[] buffers, int offset, int length) throws IOException {
                return sc.write(buffers, offset, length);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return sc.write(src);
            }
        };
    }

    @Override
    int interestOps() {
        int read = core.readArmed() ? SelectionKey.OP_READ : 0;
        return switch (core.state()) {
            case CONNECTING -> SelectionKey.OP_CONNECT;
            case CONNECTED_UNREPORTED -> SelectionKey.OP_WRITE | read;
            case CONNECTED -> read | (core.writeWanted() ? SelectionKey.OP_WRITE : 0);
            default -> 0;   // idle, a connect call under way on another thread, failed
        };
    }

    @Override
    void ready(int ops) {
        boolean writable = (ops & SelectionKey.OP_WRITE) != 0;
        Connection state = core.state();
        if (state == Connection.CONNECTING && (ops & SelectionKey.OP_CONNECT) != 0) {
            try {
                if (!sc.finishConnect()) return;
            } catch (IOException e) {
                core.connected(Errors.of(e));
                return;
            }
            core.connected(null);
            writable = true;
        } else if (state == Connection.CONNECTED_UNREPORTED && writable) {
            core.connected(null);
        }
        if ((ops & SelectionKey.OP_READ) != 0 && core.isValid() && core.readArmed()) {
            if (core.readType() == DATA) {
                read();
            } else if (core.readType() == READ) {
                core.readable();
            }
        }
        if (writable && core.isValid()) core.writable();
    }

    /** One read of at most the loop's chunk (32 KiB, as CF's), handed to the core. */
    private void read() {
        ByteBuffer buf = loop.streamBuffer;
        buf.clear();
        int n;
        try {
            n = sc.read(buf);
        } catch (IOException e) {
            core.end(Errors.of(e));
            return;
        }
        if (n == 0) return;
        if (n < 0) {
            core.end(null);
            return;
        }
        if (view == null) view = buf.asReadOnlyBuffer();
        view.limit(n).position(0);
        core.data(view, core.peerAddress());
    }

    @Override
    public ConnectStart startConnect(InetSocketAddress remote) throws SocketErrorException {
        try {
            return sc.connect(remote) ? ConnectStart.CONNECTED : ConnectStart.PENDING;
        } catch (IOException e) {
            throw new SocketErrorException("connect to " + remote, Errors.of(e), 0, e);
        } catch (RuntimeException e) {
            // e.g. UnresolvedAddressException, UnsupportedAddressTypeException
            throw new SocketErrorException("connect to " + remote,
                    new SocketError(Kind.INVALID_ARGUMENT, 0, String.valueOf(e.getMessage())), 0, e);
        }
    }

    @Override
    public SocketError awaitConnect(long deadline) {
        try {
            if (!await(SelectionKey.OP_CONNECT, deadline)) return SocketError.of(Kind.TIMED_OUT);
            sc.finishConnect();
            return null;
        } catch (IOException e) {
            return Errors.of(e);
        }
    }

    @Override
    public int trySend(ByteBuffer data, InetSocketAddress to) throws SocketErrorException {
        try {
            return sc.write(data);
        } catch (IOException e) {
            throw new SocketErrorException("send", Errors.of(e), 0, e);
        }
    }

    @Override
    public WriteQueue.Sink sink() {
        return sink;
    }

    @Override
    public int receive(ByteBuffer dst) throws SocketErrorException {
        try {
            return sc.read(dst);
        } catch (IOException e) {
            throw new SocketErrorException("receive", Errors.of(e), 0, e);
        }
    }

    @Override
    public void shutdownOutput() throws SocketErrorException {
        try {
            sc.shutdownOutput();
        } catch (IOException e) {
            throw new SocketErrorException("shutdownOutput", Errors.of(e), 0, e);
        }
    }
}
