package dev.cfnet.nio;

import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketError.Kind;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import dev.cfnet.spi.Callbacks;
import dev.cfnet.spi.SocketDriver;
import dev.cfnet.spi.WriteQueue;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * A CFSocket over an NIO channel. Callback state ({@code armed}, {@code disabled}) belongs to the loop thread;
 * other threads change it through {@link NioLoop#onLoop}. {@code armed} mirrors CF's watched descriptor sets: a
 * callback that fired is disarmed until its auto-re-enable flag or an explicit enable arms it again.
 */
final class NioSocket extends NioSource implements SocketDriver {
    private static final int READ = 1;
    private static final int ACCEPT = 2;
    private static final int DATA = 3;
    private static final int CONNECT = 4;
    private static final int WRITE = 8;
    private static final int CLOSE_ON_INVALIDATE = 128;
    private static final int LEAVE_ERRORS = 64;

    // Connection states.
    private static final int IDLE = 0;                  // stream: not connected; datagram: unconnected
    private static final int CONNECTING = 1;            // async connect in progress, watched by the loop
    private static final int WAITING = 2;               // connect() in progress on the caller's thread (not watched)
    private static final int CONNECTED_UNREPORTED = 3;  // connected; CONNECT/WRITE still to fire on the loop
    private static final int CONNECTED = 4;
    private static final int LISTENING = 5;
    private static final int FAILED = 6;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private static final int ACCEPTS_PER_DISPATCH = 16;

    private final Socket owner;
    private final SocketHandler handler;
    private final SocketType type;
    private final ProtocolFamily family;
    private final int callBackTypes;
    private final int readType;
    private final SelectableChannel channel;
    private final NioSocketHandle handle;

    private SelectionKey key;                 // loop thread
    private int lastOps = -1;                 // loop thread
    private int armed;                        // loop thread
    private int disabled;                     // loop thread
    private volatile int flags;
    private volatile int conn;
    private volatile boolean valid = true;
    private volatile SocketError leftError;   // surfaces at the next read (failed connect, LEAVE_ERRORS)
    private volatile SocketError writeError;  // a failed flush of the write queue
    private volatile InetSocketAddress peer;
    private InetSocketAddress remote;         // the address connect() was given
    private final WriteQueue.Lazy queue = new WriteQueue.Lazy(Socket.DEFAULT_WRITE_QUEUE_LIMIT);
    private final WriteQueue.Sink sink = new ChannelSink();
    private ByteBuffer view;                  // read-only view of the loop's read buffer
    private SocketEvent.Data dataEvent;       // reused for every stream DATA event: zero allocation per read

    private NioSocket(NioLoop loop, Socket owner, SocketHandler handler, SocketType type, ProtocolFamily family,
                      int callBackTypes, SelectableChannel channel, NioSocketHandle handle, int conn) {
        super(loop);
        this.owner = owner;
        this.handler = handler;
        this.type = type;
        this.family = family;
        this.callBackTypes = callBackTypes;
        this.readType = callBackTypes & 3;
        this.channel = channel;
        this.handle = handle;
        this.conn = conn;
        this.armed = callBackTypes;
        this.flags = (callBackTypes & ~CONNECT & ~WRITE) | CLOSE_ON_INVALIDATE;
    }

    static NioSocket create(NioLoop loop, Socket owner, ProtocolFamily family, SocketType type, int callBackTypes,
                            SocketHandler handler) throws SocketErrorException {
        SelectableChannel ch;
        try {
            if (type == SocketType.DATAGRAM) {
                ch = DatagramChannel.open(family);
            } else if ((callBackTypes & 3) == ACCEPT) {
                ch = ServerSocketChannel.open(family);
            } else {
                ch = SocketChannel.open(family);
            }
            ch.configureBlocking(false);
        } catch (UnsupportedOperationException e) {
            throw new SocketErrorException("create socket", SocketError.of(Kind.ADDRESS_FAMILY_NOT_SUPPORTED));
        } catch (IOException e) {
            throw new SocketErrorException("create socket", Errors.of(e), 0, e);
        }
        return new NioSocket(loop, owner, handler, type, family, callBackTypes, ch,
                NioSocketHandle.adopted(ch, family), IDLE);
    }

    static NioSocket wrap(NioLoop loop, Socket owner, NioSocketHandle h, int callBackTypes, SocketHandler handler)
            throws SocketErrorException {
        SelectableChannel ch = h.channel;
        int rt = callBackTypes & 3;
        if (ch instanceof ServerSocketChannel && rt != ACCEPT && rt != 0) {
            throw new IllegalArgumentException("a listening handle takes ACCEPT, not " + callBackTypes);
        }
        if (!(ch instanceof ServerSocketChannel) && rt == ACCEPT) {
            throw new IllegalArgumentException("ACCEPT needs a listening handle; this one is " + h.type());
        }
        if (!h.claim()) {
            throw new IllegalStateException("the handle is closed, or already wrapped by another socket");
        }
        int conn;
        InetSocketAddress p = null;
        try {
            ch.configureBlocking(false);
            switch (ch) {
                case ServerSocketChannel ssc -> conn = ssc.getLocalAddress() != null ? LISTENING : IDLE;
                case SocketChannel sc -> {
                    conn = sc.isConnected() ? CONNECTED_UNREPORTED : IDLE;
                    p = (InetSocketAddress) sc.getRemoteAddress();
                }
                case DatagramChannel dc -> {
                    conn = dc.isConnected() ? CONNECTED : IDLE;
                    p = (InetSocketAddress) dc.getRemoteAddress();
                }
                default -> throw new IllegalArgumentException("unexpected channel " + ch);
            }
        } catch (IOException e) {
            h.close();
            throw new SocketErrorException("wrap", Errors.of(e), 0, e);
        }
        NioSocket s = new NioSocket(loop, owner, handler, h.type(), h.family(), callBackTypes, ch, h, conn);
        s.peer = p;
        return s;
    }

    @Override
    public void start() {
        register();
        loop.onLoop(this::registerChannel);
    }

    /** Loop thread: registers the channel with the selector, then computes the interest set. */
    private void registerChannel() {
        if (!valid) return;
        try {
            try {
                key = channel.register(loop.selector, 0, this);
            } catch (CancelledKeyException e) {
                // A socket invalidated without closing its channel left a cancelled key; flush it, then retry.
                loop.selector.selectNow(k -> { });
                key = channel.register(loop.selector, 0, this);
            }
            lastOps = 0;
            updateInterest();
        } catch (ClosedSelectorException | ClosedChannelException e) {
            invalidate();
        } catch (IOException e) {
            NioLoop.LOG.log(Level.WARNING, "registering " + owner, e);
            invalidate();
        }
    }

    // ---- interest ----------------------------------------------------------------------------------------------

    private boolean readArmed() {
        return readType != 0 && (armed & readType) == readType;
    }

    private boolean queueNonEmpty() {
        return queue.nonEmpty();
    }

    private int interestOps() {
        if (!valid || !activeIn(loop.interestMode())) return 0;
        switch (conn) {
            case CONNECTING:
                return SelectionKey.OP_CONNECT;
            case WAITING:
            case FAILED:
                return 0;
            case CONNECTED_UNREPORTED:
                return SelectionKey.OP_WRITE | (readArmed() ? SelectionKey.OP_READ : 0);
            case LISTENING:
                return readArmed() ? SelectionKey.OP_ACCEPT : 0;
            case IDLE:
                if (type == SocketType.STREAM) return 0;
                // an unconnected datagram socket receives from anyone
            default:
                int ops = readArmed() ? SelectionKey.OP_READ : 0;
                if ((armed & WRITE) != 0 || queueNonEmpty()) ops |= SelectionKey.OP_WRITE;
                return ops;
        }
    }

    /** Loop thread: applies the interest set if it changed. */
    void updateInterest() {
        SelectionKey k = key;
        if (k == null) return;
        int ops = interestOps() & channel.validOps();
        if (ops != lastOps) {
            try {
                k.interestOps(ops);
                lastOps = ops;
            } catch (CancelledKeyException e) {
                // invalidated meanwhile
            }
        }
    }

    private void interestChanged() {
        if (loop.inLoop()) {
            updateInterest();
        } else {
            loop.post(this::updateInterest);
        }
    }

    @Override
    protected void modeAdded(RunLoop.Mode mode) {
        interestChanged();
    }

    @Override
    protected void modeRemoved(RunLoop.Mode mode) {
        interestChanged();
    }

    // ---- dispatch (loop thread) --------------------------------------------------------------------------------

    void dispatch(int ready) {
        loop.guard.enter(this);
        try {
            if (!valid) return;
            boolean connectSignalled = false;
            SocketError connectError = null;
            int c = conn;
            if (c == CONNECTING && (ready & SelectionKey.OP_CONNECT) != 0) {
                SocketChannel sc = (SocketChannel) channel;
                try {
                    if (!sc.finishConnect()) return;
                    conn = CONNECTED;
                    peer = remote;
                } catch (IOException e) {
                    conn = FAILED;
                    connectError = Errors.of(e);
                }
                connectSignalled = true;
            } else if (c == CONNECTED_UNREPORTED && (ready & SelectionKey.OP_WRITE) != 0) {
                conn = CONNECTED;
                connectSignalled = true;
            }
            boolean readSignalled = readArmed() && (ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0;
            boolean writable = connectSignalled ? connectError == null : (ready & SelectionKey.OP_WRITE) != 0;

            if (connectSignalled) {
                if (connectError != null) {
                    connectFailed(connectError);
                    return;
                }
                if ((callBackTypes & CONNECT) != 0 && (disabled & CONNECT) == 0) {
                    callout(SocketEvent.Connected.SUCCESS);
                }
            }
            if (readSignalled && valid) {
                armed &= ~readType;
                switch (readType) {
                    case DATA -> readData();
                    case ACCEPT -> acceptSome();
                    default -> callout(SocketEvent.Readable.INSTANCE);
                }
                if (valid && (flags & readType) != 0 && (disabled & readType) == 0) armed |= readType;
            }
            if (writable && valid) {
                if (queueNonEmpty()) flushQueue();
                boolean wanted = (callBackTypes & WRITE) != 0 && (disabled & WRITE) == 0
                        && (connectSignalled || (armed & WRITE) != 0);
                if (wanted && valid && !queueNonEmpty()) {
                    armed &= ~WRITE;
                    callout(SocketEvent.Writable.INSTANCE);
                    if (valid && (flags & WRITE) != 0 && (disabled & WRITE) == 0) armed |= WRITE;
                }
            }
            if (valid) updateInterest();
        } finally {
            loop.guard.exit();
        }
    }

    /** A failed connect: CONNECT reports it; then, as CF's read side does, the socket reads the error. */
    private void connectFailed(SocketError error) {
        conn = FAILED;
        boolean leave = (flags & LEAVE_ERRORS) != 0;
        if ((callBackTypes & CONNECT) != 0 && (disabled & CONNECT) == 0) {
            callout(leave ? SocketEvent.Connected.SUCCESS : SocketEvent.Connected.failure(error));
        }
        if (!valid) return;
        leftError = error;
        if (readArmed()) {
            if (readType == DATA) {
                callout(new SocketEvent.Data(EMPTY, remote, Optional.of(error)));
                invalidate();
            } else if (readType == READ) {
                armed &= ~READ;
                callout(SocketEvent.Readable.INSTANCE);
            }
        }
        if (valid) updateInterest();
    }

    private void deliverConnectFailure(SocketError error) {
        loop.guard.enter(this);
        try {
            if (valid) connectFailed(error);
        } finally {
            loop.guard.exit();
        }
    }

    private void callout(SocketEvent event) {
        try {
            handler.handle(owner, event);
        } catch (Throwable t) {
            Callbacks.failed(loop.owner, owner, t);
        }
    }

    private void readData() {
        if (type == SocketType.STREAM) {
            SocketError left = leftError;
            if (left != null) {
                leftError = null;
                callout(new SocketEvent.Data(EMPTY, peer, Optional.of(left)));
                invalidate();
                return;
            }
            ByteBuffer buf = loop.streamBuffer;
            buf.clear();
            int n;
            SocketError error = null;
            try {
                n = ((SocketChannel) channel).read(buf);
            } catch (IOException e) {
                n = -1;
                error = Errors.of(e);
            }
            if (n == 0) return;
            if (n > 0) {
                if (dataEvent == null) {
                    view = buf.asReadOnlyBuffer();
                    dataEvent = new SocketEvent.Data(view, peer, Optional.empty());
                }
                view.limit(n).position(0);
                callout(dataEvent);
            } else {
                callout(new SocketEvent.Data(EMPTY, peer, Optional.ofNullable(error)));
                invalidate();
            }
        } else {
            ByteBuffer buf = loop.datagramBuffer();
            buf.clear();
            SocketAddress from;
            try {
                from = ((DatagramChannel) channel).receive(buf);
            } catch (IOException e) {
                callout(new SocketEvent.Data(EMPTY, peer, Optional.of(Errors.of(e))));
                return;
            }
            if (from == null) return;
            if (view == null) view = buf.asReadOnlyBuffer();
            view.limit(buf.position()).position(0);
            callout(new SocketEvent.Data(view, (InetSocketAddress) from, Optional.empty()));
        }
    }

    private void acceptSome() {
        ServerSocketChannel ssc = (ServerSocketChannel) channel;
        for (int i = 0; i < ACCEPTS_PER_DISPATCH && valid; i++) {
            if (i > 0 && ((disabled & ACCEPT) != 0 || (flags & ACCEPT) == 0)) return;
            SocketChannel ch;
            try {
                ch = ssc.accept();
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (ch == null) return;
            NioSocketHandle h = NioSocketHandle.free(ch, family);
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) ch.getRemoteAddress();
            } catch (IOException e) {
                from = null;
            }
            callout(new SocketEvent.Accepted(h, from));
            h.close();   // not wrapped during the callback: nobody owns it
        }
    }

    /** accept() failed (e.g. out of descriptors): pause accepting briefly rather than spin on the pending one. */
    private void acceptFailed(IOException e) {
        NioLoop.LOG.log(Level.WARNING, owner + ": accept failed (" + e.getMessage() + "); pausing accepts 100 ms");
        if ((armed & ACCEPT) == 0 && (flags & ACCEPT) == 0) return;
        disabled |= ACCEPT;
        armed &= ~ACCEPT;
        updateInterest();
        owner.loop().schedule(java.time.Duration.ofMillis(100), () -> {
            if (!valid) return;
            disabled &= ~ACCEPT;
            armed |= ACCEPT;
            updateInterest();
        });
    }

    private void flushQueue() {
        WriteQueue q = queue.get();
        try {
            q.flush(sink);
        } catch (IOException e) {
            writeError = Errors.of(e);
            q.clear();
        }
    }

    /** The write queue's way out: the socket channel. */
    private final class ChannelSink implements WriteQueue.Sink {
        @Override
        public long write(ByteBuffer[] buffers, int offset, int length) throws IOException {
            return ((SocketChannel) channel).write(buffers, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return ((SocketChannel) channel).write(src);
        }
    }

    // ---- operations (any thread) -------------------------------------------------------------------------------

    @Override
    public void connect(InetSocketAddress to, long timeoutNanos) throws SocketErrorException {
        synchronized (this) {
            switch (conn) {
                case IDLE -> { }
                case LISTENING -> throw new IllegalStateException("a listening socket cannot connect");
                case FAILED -> throw new IllegalStateException("connect failed on this socket already; create a "
                        + "new one");
                default -> throw new IllegalStateException("the socket is connected or connecting already");
            }
            if (channel instanceof ServerSocketChannel) {
                throw new IllegalStateException("a socket created with ACCEPT listens; it cannot connect");
            }
            // Not CONNECTING yet: the loop would watch OP_CONNECT on a channel whose connect has not been called,
            // which polls ready (POLLHUP), and finishConnect would throw NoConnectionPendingException.
            conn = WAITING;
            remote = to;
        }
        if (channel instanceof DatagramChannel dc) {
            try {
                dc.connect(to);
                peer = to;
                conn = CONNECTED;
            } catch (IOException e) {
                conn = IDLE;
                throw new SocketErrorException("connect to " + to, Errors.of(e), 0, e);
            }
            interestChanged();
            return;
        }
        SocketChannel sc = (SocketChannel) channel;
        boolean done;
        try {
            done = sc.connect(to);
        } catch (IOException | RuntimeException e) {
            SocketError error = e instanceof IOException io ? Errors.of(io)
                    : new SocketError(Kind.INVALID_ARGUMENT, 0, String.valueOf(e.getMessage()));
            if (timeoutNanos > 0) {
                invalidate();
                throw new SocketErrorException("connect to " + to, error, 0, e);
            }
            conn = FAILED;
            loop.post(() -> deliverConnectFailure(error));
            return;
        }
        if (timeoutNanos <= 0) {
            if (done) {
                peer = to;
                conn = CONNECTED_UNREPORTED;
            } else {
                conn = CONNECTING;
            }
            interestChanged();
            return;
        }
        try {
            if (!done) {
                long deadline = System.nanoTime() + timeoutNanos;
                if (!Waiter.await(sc, SelectionKey.OP_CONNECT, deadline)) {
                    invalidate();
                    throw new SocketErrorException("connect to " + to, SocketError.of(Kind.TIMED_OUT));
                }
                sc.finishConnect();
            }
        } catch (IOException e) {
            invalidate();
            throw new SocketErrorException("connect to " + to, Errors.of(e), 0, e);
        }
        peer = to;
        conn = CONNECTED_UNREPORTED;
        interestChanged();
    }

    @Override
    public void setAddress(InetSocketAddress local) throws SocketErrorException {
        synchronized (this) {
            if (conn != IDLE) {
                throw new IllegalStateException("setAddress must come before connect, and only once for a listener");
            }
            try {
                switch (channel) {
                    case ServerSocketChannel ssc -> {
                        ssc.bind(local, 256);
                        conn = LISTENING;
                    }
                    case SocketChannel sc -> sc.bind(local);
                    case DatagramChannel dc -> dc.bind(local);
                    default -> throw new IllegalStateException("unexpected channel " + channel);
                }
            } catch (IOException e) {
                throw new SocketErrorException("setAddress " + local, Errors.of(e), 0, e);
            }
        }
        interestChanged();
    }

    private SocketErrorException closed(String op) {
        return new SocketErrorException(op, SocketError.of(Kind.CLOSED));
    }

    @Override
    public int send(ByteBuffer data, InetSocketAddress to, long timeoutNanos) throws SocketErrorException {
        if (!valid) throw closed("send");
        long deadline = System.nanoTime() + timeoutNanos;
        int total = 0;
        try {
            if (channel instanceof SocketChannel sc) {
                if (queueNonEmpty()) {
                    throw new IllegalStateException(queue.size() + " bytes given to write() are still queued; "
                            + "send() would overtake them. Keep to write(), or send once WRITE fires");
                }
                int c = conn;
                if (c != CONNECTED && c != CONNECTED_UNREPORTED) {
                    throw new SocketErrorException("send", SocketError.of(Kind.NOT_CONNECTED));
                }
                while (data.hasRemaining()) {
                    int n = sc.write(data);
                    total += n;
                    if (n == 0 && data.hasRemaining()) awaitWritable(sc, timeoutNanos, deadline, total);
                }
                return total;
            }
            DatagramChannel dc = (DatagramChannel) channel;
            if (to == null && !dc.isConnected()) {
                throw new SocketErrorException("send", new SocketError(Kind.NOT_CONNECTED,
                        SocketError.of(Kind.NOT_CONNECTED).code(), "a datagram needs an address unless the socket "
                        + "is connected"));
            }
            int size = data.remaining();
            for (;;) {
                int n = to == null ? dc.write(data) : dc.send(data, to);
                if (n > 0 || size == 0) return n;
                awaitWritable(dc, timeoutNanos, deadline, 0);
            }
        } catch (SocketErrorException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketErrorException("send", valid ? Errors.of(e) : SocketError.of(Kind.CLOSED), total, e);
        }
    }

    private void awaitWritable(SelectableChannel ch, long timeoutNanos, long deadline, int sent) throws IOException {
        if (timeoutNanos <= 0) {
            throw new SocketErrorException("send", SocketError.of(Kind.WOULD_BLOCK), sent, null);
        }
        if (!Waiter.await(ch, SelectionKey.OP_WRITE, deadline)) {
            throw new SocketErrorException("send", SocketError.of(Kind.TIMED_OUT), sent, null);
        }
        if (!valid) throw new SocketErrorException("send", SocketError.of(Kind.CLOSED), sent, null);
    }

    @Override
    public int write(ByteBuffer data) throws SocketErrorException {
        if (!valid) throw closed("write");
        SocketError we = writeError;
        if (we != null) throw new SocketErrorException("write", we);
        int c = conn;
        if (c == LISTENING || channel instanceof ServerSocketChannel) {
            throw new IllegalStateException("a listening socket has nothing to write to");
        }
        if (c == FAILED) throw new SocketErrorException("write", SocketError.of(Kind.NOT_CONNECTED));
        WriteQueue q = queue.get();
        boolean wasEmpty = q.isEmpty();
        int n;
        if (c == CONNECTED) {
            try {
                n = q.writeThrough(sink, data);
            } catch (IOException e) {
                SocketError err = valid ? Errors.of(e) : SocketError.of(Kind.CLOSED);
                writeError = err;
                throw new SocketErrorException("write", err, 0, e);
            }
        } else {
            n = q.offer(data);
        }
        if (wasEmpty && !q.isEmpty()) interestChanged();
        return n;
    }

    @Override
    public long queuedBytes() {
        return queue.size();
    }

    @Override
    public void setWriteQueueLimit(int bytes) {
        queue.setLimit(bytes);
    }

    @Override
    public int writeQueueLimit() {
        return queue.limit();
    }

    @Override
    public int receive(ByteBuffer dst) throws SocketErrorException {
        if (!valid) throw closed("receive");
        SocketError left = leftError;
        if (left != null) {
            leftError = null;
            throw new SocketErrorException("receive", left);
        }
        if (!(channel instanceof SocketChannel sc)) {
            throw new IllegalStateException("a listening socket has nothing to receive");
        }
        int c = conn;
        if (c != CONNECTED && c != CONNECTED_UNREPORTED) {
            throw new SocketErrorException("receive", SocketError.of(Kind.NOT_CONNECTED));
        }
        try {
            return sc.read(dst);
        } catch (IOException e) {
            throw new SocketErrorException("receive", valid ? Errors.of(e) : SocketError.of(Kind.CLOSED), 0, e);
        }
    }

    @Override
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException {
        if (!valid) throw closed("receiveFrom");
        try {
            return (InetSocketAddress) ((DatagramChannel) channel).receive(dst);
        } catch (IOException e) {
            throw new SocketErrorException("receiveFrom", valid ? Errors.of(e) : SocketError.of(Kind.CLOSED), 0, e);
        }
    }

    @Override
    public void enableCallBacks(int bits) {
        loop.onLoop(() -> {
            if (!valid) return;
            disabled &= ~bits;
            armed |= bits;
            updateInterest();
        });
    }

    @Override
    public void disableCallBacks(int bits) {
        loop.onLoop(() -> {
            if (!valid) return;
            disabled |= bits;
            armed &= ~bits;
            updateInterest();
        });
    }

    @Override
    public int flags() {
        return flags;
    }

    @Override
    public void setFlags(int bits) {
        flags = bits;
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
    public InetSocketAddress peerAddress() {
        return peer;
    }

    @Override
    public void shutdownOutput() throws SocketErrorException {
        if (!(channel instanceof SocketChannel sc)) {
            throw new IllegalStateException("a listening socket has no output to shut down");
        }
        try {
            sc.shutdownOutput();
        } catch (IOException e) {
            throw new SocketErrorException("shutdownOutput", Errors.of(e), 0, e);
        }
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
    public boolean isValid() {
        return valid;
    }

    @Override
    public void invalidate() {
        synchronized (this) {
            if (!valid) return;
            valid = false;
        }
        unregister();
        loop.guard.awaitNotDispatching(this, loop.inLoop());
        SelectionKey k = key;
        if (k != null) k.cancel();
        if ((flags & CLOSE_ON_INVALIDATE) != 0) {
            handle.markClosed();
            try {
                channel.close();
            } catch (IOException e) {
                NioLoop.LOG.log(Level.DEBUG, "closing " + owner, e);
            }
        } else {
            handle.release();
        }
        queue.clear();
        if (!loop.inLoop()) loop.wakeUp();   // the selector releases the descriptor at its next pass
    }

    @Override
    public SocketHandle handle() {
        return handle;
    }


    @Override
    public String toString() {
        return owner.toString();
    }
}
