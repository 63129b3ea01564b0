package dev.cfnet.nio;

import dev.cfnet.RunLoop;
import dev.cfnet.SocketError;
import dev.cfnet.SocketError.Kind;
import dev.cfnet.SocketErrorException;
import dev.cfnet.spi.OwnedHandle;
import dev.cfnet.spi.SocketCore;
import dev.cfnet.spi.SocketIo;
import dev.cfnet.spi.WriteQueue;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * The NIO half of a socket: a channel registered with the loop's selector, whose interest set follows the core's
 * state. Subclasses are the three kinds of channel (stream, datagram, listener). Key and interest belong to the loop
 * thread; other threads reach them through the loop's internal queue.
 */
abstract class NioChannelIo implements SocketIo {
    final NioLoop loop;
    final SocketCore core;
    final SelectableChannel channel;
    final NioSocketHandle handle;
    private SelectionKey key;     // loop thread
    private int lastOps = -1;     // loop thread

    NioChannelIo(NioLoop loop, SocketCore core, SelectableChannel channel, NioSocketHandle handle) {
        this.loop = loop;
        this.core = core;
        this.channel = channel;
        this.handle = handle;
    }

    /** The interest set for the core's state now (before the mode and validity checks). */
    abstract int interestOps();

    /** Loop thread: handles the ready operations of one selection, in CF's order. */
    abstract void ready(int readyOps);

    // ---- registration and interest (loop thread) ---------------------------------------------------------------

    @Override
    public void start() {
        loop.onLoop(this::register);
    }

    private void register() {
        if (!core.isValid()) return;
        try {
            try {
                key = channel.register(loop.selector, 0, this);
            } catch (CancelledKeyException e) {
                // A socket invalidated without closing its channel left a cancelled key; flush it, then retry.
                loop.selector.selectNow(k -> { });
                key = channel.register(loop.selector, 0, this);
            }
            lastOps = 0;
            refresh();
        } catch (ClosedSelectorException | ClosedChannelException e) {
            core.invalidate();
        } catch (IOException e) {
            NioLoop.LOG.log(Level.WARNING, "registering " + core, e);
            core.invalidate();
        }
    }

    @Override
    public void refresh() {
        SelectionKey k = key;
        if (k == null || !k.isValid()) return;   // cancelled by invalidate: an exception per closed socket otherwise
        int ops = core.isValid() && core.activeIn(loop.interestMode()) ? interestOps() & channel.validOps() : 0;
        if (ops != lastOps) {
            try {
                k.interestOps(ops);
                lastOps = ops;
            } catch (CancelledKeyException e) {
                // invalidated meanwhile
            }
        }
    }

    /** From any thread: the interest set is recomputed on the loop thread. */
    final void interestChanged() {
        loop.onLoop(this::refresh);
    }

    /** Loop thread: one selection's ready set, framed by the core's dispatch guard. */
    final void dispatch(int readyOps) {
        try {
            if (core.beginDispatch()) ready(readyOps);
        } finally {
            core.endDispatch();
        }
        refresh();
    }

    @Override
    public void arm(int bits) {
        interestChanged();
    }

    @Override
    public void disarm(int bits) {
        interestChanged();
    }

    @Override
    public void flagsChanged(int flags) {
    }

    @Override
    public void endHeld() {
    }

    @Override
    public void connectStarted() {
        interestChanged();
    }

    @Override
    public void modeAdded(RunLoop.Mode mode) {
        interestChanged();
    }

    @Override
    public void modeRemoved(RunLoop.Mode mode) {
        interestChanged();
    }

    // ---- what only some channels do ------------------------------------------------------------------------------

    @Override
    public ConnectStart startConnect(InetSocketAddress remote) throws SocketErrorException {
        throw new IllegalStateException("this channel does not connect");
    }

    @Override
    public SocketError awaitConnect(long deadline) {
        return SocketError.of(Kind.INVALID_ARGUMENT);
    }

    @Override
    public void connectDatagram(InetSocketAddress remote) throws SocketErrorException {
        throw new IllegalStateException("not a datagram socket");
    }

    @Override
    public int trySend(ByteBuffer data, InetSocketAddress to) throws SocketErrorException {
        throw new IllegalStateException("a listening socket has nothing to send to");
    }

    @Override
    public WriteQueue.Sink sink() {
        throw new IllegalStateException("a listening socket has nothing to write to");
    }

    @Override
    public int receive(ByteBuffer dst) throws SocketErrorException {
        throw new IllegalStateException("a listening socket has nothing to receive");
    }

    @Override
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException {
        throw new IllegalStateException("not a datagram socket");
    }

    @Override
    public void shutdownOutput() throws SocketErrorException {
        throw new IllegalStateException("a listening socket has no output to shut down");
    }

    // ---- common to all ------------------------------------------------------------------------------------------

    @Override
    public void bind(InetSocketAddress local, boolean listen) throws SocketErrorException {
        try {
            bindChannel(local);
        } catch (IOException e) {
            throw new SocketErrorException("setAddress " + local, Errors.of(e), 0, e);
        }
    }

    /** Binds the channel (a listener also listens). */
    void bindChannel(InetSocketAddress local) throws IOException {
        ((NetworkChannel) channel).bind(local);
    }

    /** Waits (on the caller's thread) for {@code ops} until {@code deadline}. */
    final boolean await(int ops, long deadline) throws SocketErrorException {
        try {
            return Waiter.await(channel, ops, deadline);
        } catch (IOException e) {
            throw new SocketErrorException("wait", Errors.of(e), 0, e);
        }
    }

    @Override
    public boolean awaitWritable(long deadline) throws SocketErrorException {
        return await(SelectionKey.OP_WRITE, deadline);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        ((NetworkChannel) channel).setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return ((NetworkChannel) channel).getOption(option);
    }

    @Override
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) ((NetworkChannel) channel).getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public OwnedHandle handle() {
        return handle;
    }

    @Override
    public void close(boolean closeNativeSocket) {
        SelectionKey k = key;
        if (k != null) k.cancel();
        if (closeNativeSocket) {
            handle.markClosed();
            try {
                channel.close();
            } catch (IOException e) {
                NioLoop.LOG.log(Level.DEBUG, "closing " + core, e);
            }
        } else {
            handle.release();
        }
        if (!loop.inLoopThread()) loop.wakeUp();   // the selector releases the descriptor at its next pass
    }
}
