package dev.cfnet.posix;

import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import dev.cfnet.spi.SocketIo;
import dev.cfnet.spi.WriteQueue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;

/**
 * The half of {@link SocketIo} that any backend over a native descriptor does with libc: sends, receives, waits,
 * options, shutdown and the bound address. A backend that watches descriptors its own way (CF's socket manager, or a
 * future kqueue or io_uring driver) extends this and supplies readiness.
 */
public abstract class DescriptorIo implements SocketIo {
    protected final PosixSocket posix;
    private volatile InetSocketAddress local;
    private volatile boolean released;   // the descriptor is (being) given up: its number may be another's

    protected DescriptorIo(PosixSocket posix) {
        this.posix = posix;
    }

    @Override
    public int trySend(ByteBuffer data, InetSocketAddress to) throws SocketErrorException {
        return posix.trySend(data, to);
    }

    @Override
    public boolean awaitWritable(long deadline) throws SocketErrorException {
        return posix.awaitWritable(deadline);
    }

    @Override
    public SocketError awaitConnect(long deadline) {
        return posix.awaitConnect(deadline);
    }

    @Override
    public WriteQueue.Sink sink() {
        return posix.sink();
    }

    @Override
    public int receive(ByteBuffer dst) throws SocketErrorException {
        return posix.receive(dst);
    }

    @Override
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException {
        return posix.receiveFrom(dst);
    }

    @Override
    public void shutdownOutput() throws SocketErrorException {
        posix.shutdownOutput();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        posix.setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return posix.getOption(option);
    }

    /** getsockname, remembered once known, and kept once the descriptor is given up ({@link #releasing}). */
    @Override
    public InetSocketAddress localAddress() {
        InetSocketAddress cached = local;
        if (cached != null || released) return cached;
        InetSocketAddress a = posix.localAddress();
        if (a != null) local = a;
        return a;
    }

    /** Before the descriptor is closed or handed on: its bound address stays readable afterwards. */
    protected final void releasing() {
        if (local == null) local = posix.localAddress();
        released = true;
    }
}
