package dev.cfnet.spi;

import static dev.cfnet.spi.CallBackBits.ACCEPT;

import dev.cfnet.RunLoop;
import dev.cfnet.SocketError;
import dev.cfnet.SocketError.Kind;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;

/**
 * What a caller does with a socket, for every backend: the operations of the public {@code Socket}, with their
 * preconditions and errors, on the {@link SocketCore} (the callback contract) and the backend's {@link SocketIo}.
 * Any thread.
 */
final class SocketOperations implements SocketDriver {
    private final SocketCore core;
    private final SocketIo io;

    SocketOperations(SocketCore core) {
        this.core = core;
        this.io = core.io();
    }

    private SocketErrorException closed(String op) {
        return new SocketErrorException(op, SocketError.of(Kind.CLOSED));
    }

    private SocketErrorException rethrown(String op, SocketErrorException e) {
        return new SocketErrorException(op, core.isValid() ? e.error() : SocketError.of(Kind.CLOSED), 0, e);
    }

    @Override
    public void start() {
        core.start();
    }

    @Override
    public void connect(InetSocketAddress to, long timeoutNanos) throws SocketErrorException {
        core.beginConnect(to);
        if (core.type() == SocketType.DATAGRAM) {
            try {
                io.connectDatagram(to);
            } catch (SocketErrorException e) {
                core.connectRefused();
                throw e;
            }
            core.connectCalled(to, true);
            return;
        }
        SocketIo.ConnectStart started;
        try {
            started = io.startConnect(to);
        } catch (SocketErrorException e) {
            if (timeoutNanos <= 0) {
                core.connectFailedLater(e.error());
                return;
            }
            core.invalidate();
            throw e;
        }
        if (timeoutNanos > 0 && started == SocketIo.ConnectStart.PENDING) {
            SocketError error = io.awaitConnect(System.nanoTime() + timeoutNanos);
            if (error != null) {
                core.invalidate();
                throw new SocketErrorException("connect to " + to, error);
            }
            started = SocketIo.ConnectStart.CONNECTED;
        }
        core.connectCalled(started == SocketIo.ConnectStart.CONNECTED ? to : null, false);
    }

    @Override
    public void setAddress(InetSocketAddress local) throws SocketErrorException {
        core.checkCanBind();
        io.bind(local, core.readType() == ACCEPT);
        core.bound();
    }

    @Override
    public int send(ByteBuffer data, InetSocketAddress to, long timeoutNanos) throws SocketErrorException {
        if (!core.isValid()) throw closed("send");
        return core.writer().send(io, data, to, timeoutNanos);
    }

    @Override
    public int write(ByteBuffer data) throws SocketErrorException {
        if (!core.isValid()) throw closed("write");
        return core.writer().write(io, data);
    }

    @Override
    public long queuedBytes() {
        return core.writer().queue().size();
    }

    @Override
    public void setWriteQueueLimit(int bytes) {
        core.writer().queue().setLimit(bytes);
    }

    @Override
    public int writeQueueLimit() {
        return core.writer().queue().limit();
    }

    @Override
    public int receive(ByteBuffer dst) throws SocketErrorException {
        if (!core.isValid()) throw closed("receive");
        Connection state = core.state();
        if (core.readType() == ACCEPT || state == Connection.LISTENING) {
            throw new IllegalStateException("a listening socket has nothing to receive");
        }
        SocketError failed = core.connectError();
        if (state == Connection.FAILED && failed != null) throw new SocketErrorException("receive", failed);
        if (!state.isConnected()) throw new SocketErrorException("receive", SocketError.of(Kind.NOT_CONNECTED));
        try {
            return io.receive(dst);
        } catch (SocketErrorException e) {
            throw rethrown("receive", e);
        }
    }

    @Override
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException {
        if (!core.isValid()) throw closed("receiveFrom");
        try {
            return io.receiveFrom(dst);
        } catch (SocketErrorException e) {
            throw rethrown("receiveFrom", e);
        }
    }

    @Override
    public void enableCallBacks(int bits) {
        core.enableCallBacks(bits);
    }

    @Override
    public void disableCallBacks(int bits) {
        core.disableCallBacks(bits);
    }

    @Override
    public int flags() {
        return core.flags();
    }

    @Override
    public void setFlags(int bits) {
        core.setFlags(bits);
    }

    @Override
    public InetSocketAddress localAddress() {
        return io.localAddress();
    }

    @Override
    public InetSocketAddress peerAddress() {
        return core.peerAddress();
    }

    @Override
    public void shutdownOutput() throws SocketErrorException {
        if (core.readType() == ACCEPT || core.state() == Connection.LISTENING) {
            throw new IllegalStateException("a listening socket has no output to shut down");
        }
        io.shutdownOutput();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        io.setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return io.getOption(option);
    }

    @Override
    public boolean isValid() {
        return core.isValid();
    }

    @Override
    public void invalidate() {
        core.invalidate();
    }

    @Override
    public SocketHandle handle() {
        return io.handle();
    }

    @Override
    public void addMode(RunLoop.Mode mode) {
        core.addMode(mode);
    }

    @Override
    public void removeMode(RunLoop.Mode mode) {
        core.removeMode(mode);
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
