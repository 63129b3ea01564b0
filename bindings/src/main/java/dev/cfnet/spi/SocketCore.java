package dev.cfnet.spi;

import static dev.cfnet.spi.CallBackBits.ACCEPT;
import static dev.cfnet.spi.CallBackBits.CLOSE_ON_INVALIDATE;
import static dev.cfnet.spi.CallBackBits.CONNECT;
import static dev.cfnet.spi.CallBackBits.DATA;
import static dev.cfnet.spi.CallBackBits.LEAVE_ERRORS;
import static dev.cfnet.spi.CallBackBits.READ;
import static dev.cfnet.spi.CallBackBits.WRITE;

import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * The CFSocket contract, once for every backend: which callbacks are armed, flags and auto-re-enable, one-shot
 * WRITE, connect reported once, empty data as the end, events held while their callback is disabled, the write
 * queue, and the preconditions and errors of every operation. A backend's {@link SocketIo} watches the native
 * socket and reports to the core; the core calls the user's handler.
 *
 * <p>{@code armed} mirrors CF's enabled callbacks: a callback that fired is disarmed until its auto-re-enable flag or
 * an enable arms it again. {@code disabled} is what the user disabled. Both change under this object's lock from
 * any thread; events are handled on the loop thread.
 */
public final class SocketCore extends ScheduledSource {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final LoopCore loop;
    private final Socket owner;
    private final SocketHandler handler;
    private final SocketType type;
    private final int callBackTypes;
    private final int readType;
    private SocketIo io;

    private volatile boolean valid = true;
    private volatile Connection state;
    private volatile int flags;
    private int armed;                          // guarded by this
    private int disabled;                       // guarded by this
    private boolean connectReported;            // loop thread
    private volatile InetSocketAddress peer;
    private volatile InetSocketAddress remote;  // what connect was given
    private volatile SocketError connectError;  // a failed connect's error, for the read side
    private final SocketWriter writer = new SocketWriter(this);
    private final WriteQueue.Lazy queue = writer.queue();
    /** Read-type events that arrived while their callback was not armed, in order. Loop thread. */
    private ArrayDeque<SocketEvent> held;   // made on the first hold: most sockets never hold anything
    private SocketEvent.Data lastData;        // reused while the buffer and the sender stay the same

    /**
     * @param state IDLE for a new socket; for a wrapped handle what it is (connected: CONNECTED_UNREPORTED, so that
     *              CONNECT and WRITE are reported on the loop; listening: LISTENING)
     */
    public SocketCore(LoopCore loop, Socket owner, SocketHandler handler, SocketType type, int callBackTypes,
                      Connection state, InetSocketAddress peer) {
        super(loop.sources);
        this.loop = loop;
        this.owner = owner;
        this.handler = handler;
        this.type = type;
        this.callBackTypes = callBackTypes;
        this.readType = CallBackBits.readType(callBackTypes);
        this.state = state;
        this.peer = peer;
        this.armed = callBackTypes;
        this.flags = CallBackBits.defaultFlags(callBackTypes);
    }

    /** Connects the backend's half; once, before {@link #start}. */
    public void attach(SocketIo socketIo) {
        this.io = socketIo;
    }

    // ---- what the backend reads -------------------------------------------------------------------------------

    public Connection state() {
        return state;
    }

    public SocketType type() {
        return type;
    }

    public int callBackTypes() {
        return callBackTypes;
    }

    public int readType() {
        return readType;
    }

    public int flags() {
        return flags;
    }

    /** The callbacks the user disabled. */
    public synchronized int disabledCallBacks() {
        return disabled;
    }

    /** True when the read-type callback is armed and not disabled. */
    public synchronized boolean readArmed() {
        return readType != 0 && (armed & readType) == readType && (disabled & readType) == 0;
    }

    /** True when the socket should be watched for writability: WRITE armed, or bytes queued. */
    public boolean writeWanted() {
        if (queue.nonEmpty()) return true;
        synchronized (this) {
            return (callBackTypes & WRITE) != 0 && (armed & WRITE) != 0 && (disabled & WRITE) == 0;
        }
    }

    /** True while the write queue holds bytes. */
    public boolean queueNonEmpty() {
        return queue.nonEmpty();
    }

    /** The loop this socket is on. */
    public LoopCore loop() {
        return loop;
    }

    @Override
    public String toString() {
        return owner.toString();
    }

    // ---- events from the backend (loop thread) ------------------------------------------------------------------

    /** Starts handling one readiness; false when the socket is no longer valid. Pair with {@link #endDispatch}. */
    public boolean beginDispatch() {
        loop.guard.enter(this);
        return valid;
    }

    public void endDispatch() {
        loop.guard.exit();
    }

    /** The outcome of a connect (null: connected). Only the first report counts. */
    public void connected(SocketError error) {
        if (connectReported || !valid) return;
        connectReported = true;
        if (error == null) {
            state = Connection.CONNECTED;
            InetSocketAddress to = remote;
            if (to != null) peer = to;
            if (wants(CONNECT)) deliver(SocketEvent.Connected.SUCCESS);
        } else {
            connectFailed(error);
        }
    }

    /**
     * A failed connect: CONNECT reports it, then the read side does once, as CF's read of the error would (empty DATA,
     * then invalidate; or Readable, and receive throws the error). With LEAVE_ERRORS CONNECT reports success.
     */
    private void connectFailed(SocketError error) {
        connectReported = true;
        state = Connection.FAILED;
        connectError = error;
        io.disarm(WRITE | readType);
        if (wants(CONNECT)) {
            deliver((flags & LEAVE_ERRORS) != 0 ? SocketEvent.Connected.SUCCESS : SocketEvent.Connected.failure(error));
        }
        if (!valid || !readArmed()) return;
        if (readType == DATA) {
            deliver(new SocketEvent.Data(EMPTY, remote, Optional.of(error)));
            invalidate();
        } else if (readType == READ && takeReadType()) {
            deliver(SocketEvent.Readable.INSTANCE);
        }
    }

    /** A connect that failed on the caller's thread, reported on the loop. */
    private void deliverConnectFailure(SocketError error) {
        if (beginDispatch()) {
            try {
                connectFailed(error);
            } finally {
                endDispatch();
            }
        } else {
            endDispatch();
        }
    }

    /** READ: bytes (or an end) wait to be received. */
    public void readable() {
        if (state == Connection.FAILED || !takeReadType()) return;   // READ is level-triggered: it comes back
        deliver(SocketEvent.Readable.INSTANCE);
        rearmReadType();
    }

    /**
     * DATA: bytes read (a stream's, or one datagram, possibly empty) from {@code from}. {@code bytes} is valid only
     * during the call.
     */
    public void data(ByteBuffer bytes, InetSocketAddress from) {
        if (state == Connection.FAILED) return;
        if (holding() || !takeReadType()) {
            hold(new SocketEvent.Data(copy(bytes), from, Optional.empty()));
            return;
        }
        // The same view and (NIO caches it) the same sender as last time: the same event, no allocation.
        if (lastData == null || lastData.bytes() != bytes || lastData.address() != from) {
            lastData = new SocketEvent.Data(bytes, from, Optional.empty());
        }
        deliver(lastData);
        rearmReadType();
    }

    /** DATA on a datagram socket: a reported error (e.g. ICMP port unreachable); the socket stays valid. */
    public void datagramError(SocketError error) {
        if (holding() || !takeReadType()) {
            hold(new SocketEvent.Data(EMPTY, peer, Optional.of(error)));
            return;
        }
        deliver(new SocketEvent.Data(EMPTY, peer, Optional.of(error)));
        rearmReadType();
    }

    /** DATA on a stream: the end (null: the peer closed; else the read error). The socket is invalidated after. */
    public void end(SocketError error) {
        if (state == Connection.FAILED) return;
        SocketEvent.Data end = new SocketEvent.Data(EMPTY, peer != null ? peer : remote,
                Optional.ofNullable(error != null ? error : connectError));
        if (holding() || !takeReadType()) {
            hold(end);
            io.endHeld();
            return;
        }
        deliver(end);
        invalidate();
    }

    /** ACCEPT: a connection the backend accepted; closed after the callback unless it was wrapped. */
    public void accepted(SocketHandle connection, InetSocketAddress from) {
        SocketEvent.Accepted event = new SocketEvent.Accepted(connection, from);
        if (holding() || !takeReadType()) {
            hold(event);
            io.disarm(ACCEPT);   // keep further connections in the kernel's backlog
            return;
        }
        deliver(event);
        connection.close();   // not wrapped during the callback: nobody owns it
        rearmReadType();
    }

    /** The socket can take bytes: the write queue is flushed first; WRITE fires once it is empty. */
    public void writable() {
        if (!writer.flush(io)) {
            io.arm(WRITE);   // one-shot where the backend is CF: ask for the next
            return;
        }
        synchronized (this) {
            if ((callBackTypes & WRITE) == 0 || (armed & WRITE) == 0 || (disabled & WRITE) != 0) return;
            armed &= ~WRITE;
        }
        deliver(SocketEvent.Writable.INSTANCE);
        synchronized (this) {
            if (valid && (flags & WRITE) != 0 && (disabled & WRITE) == 0) armed |= WRITE;   // the flag as it is now
        }
    }

    private boolean wants(int callBack) {
        synchronized (this) {
            return (callBackTypes & callBack) != 0 && (disabled & callBack) == 0;
        }
    }

    /** If the read-type callback is armed and enabled, disarms it (it fires now) and returns true; one lock. */
    private synchronized boolean takeReadType() {
        if (readType == 0 || (armed & readType) != readType || (disabled & readType) != 0) return false;
        armed &= ~readType;
        return true;
    }

    private void rearmReadType() {
        synchronized (this) {
            if (!valid || (flags & readType) == 0 || (disabled & readType) != 0) return;
            armed |= readType;
        }
    }

    private void hold(SocketEvent event) {
        if (held == null) held = new ArrayDeque<>();
        held.add(event);
    }

    private boolean holding() {
        return held != null && !held.isEmpty();
    }

    private static ByteBuffer copy(ByteBuffer bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes.remaining());
        b.put(bytes.duplicate()).flip();
        return b.asReadOnlyBuffer();
    }

    /** Delivers held events while the read type stays armed; loop thread, posted after an enable. */
    private void drainHeld() {
        if (!beginDispatch()) {
            endDispatch();
            return;
        }
        try {
            while (valid && holding() && takeReadType()) {
                SocketEvent e = held.poll();
                deliver(e);
                if (e instanceof SocketEvent.Accepted a) a.handle().close();
                if (e instanceof SocketEvent.Data d && d.isEmpty() && type == SocketType.STREAM) invalidate();
                rearmReadType();
            }
            if (valid && !holding() && readArmed()) io.arm(readType);
        } finally {
            endDispatch();
        }
    }

    private void dropHeld() {
        if (held == null) return;
        SocketEvent e;
        while ((e = held.poll()) != null) {
            if (e instanceof SocketEvent.Accepted a) a.handle().close();
        }
    }

    private void deliver(SocketEvent event) {
        loop.callOut(owner, () -> handler.handle(owner, event));
    }

    // ---- what the caller's operations need of the contract (any thread) ------------------------------------------

    void start() {
        register();
        io.start();
    }

    SocketIo io() {
        return io;
    }

    SocketWriter writer() {
        return writer;
    }

    boolean failedConnect() {
        return state == Connection.FAILED;
    }

    SocketError connectError() {
        return connectError;
    }

    /** A connect call begins: the preconditions, then nothing is watched until {@link #connectCalled}. */
    void beginConnect(InetSocketAddress to) {
        synchronized (this) {
            switch (state) {
                case IDLE -> { }
                case LISTENING -> throw new IllegalStateException("a listening socket cannot connect");
                case FAILED -> throw new IllegalStateException("connect failed on this socket already; create a "
                        + "new one");
                default -> throw new IllegalStateException("the socket is connected or connecting already");
            }
            if (readType == ACCEPT) {
                throw new IllegalStateException("a socket created with ACCEPT listens; it cannot connect");
            }
            state = Connection.STARTING;
            remote = to;
        }
    }

    /** The connect call returned: connected to {@code peerNow} (not reported yet), or in progress when null. */
    void connectCalled(InetSocketAddress peerNow, boolean datagram) {
        if (peerNow != null) peer = peerNow;
        state = peerNow == null ? Connection.CONNECTING
                : datagram ? Connection.CONNECTED : Connection.CONNECTED_UNREPORTED;
        io.connectStarted();
    }

    /** A datagram connect the OS refused: the socket is as before. */
    void connectRefused() {
        state = Connection.IDLE;
    }

    /** An asynchronous connect that failed at once: reported on the loop, as CF does. */
    void connectFailedLater(SocketError error) {
        state = Connection.FAILED;
        loop.post(() -> deliverConnectFailure(error));
    }

    /** Bound; listening for an ACCEPT socket. */
    void bound() {
        synchronized (this) {
            if (readType == ACCEPT) state = Connection.LISTENING;
        }
        loop.onLoop(io::refresh);
    }

    void checkCanBind() {
        synchronized (this) {
            if (state != Connection.IDLE) {
                throw new IllegalStateException("setAddress must come before connect, and only once for a listener");
            }
        }
    }

    void enableCallBacks(int bits) {
        synchronized (this) {
            if (!valid) return;
            disabled &= ~bits;
            armed |= bits;
        }
        io.arm(bits);
        if (readType != 0 && (bits & readType) != 0) loop.post(this::drainHeld);   // from the next pass on
    }

    void disableCallBacks(int bits) {
        synchronized (this) {
            if (!valid) return;
            disabled |= bits;
            armed &= ~bits;
        }
        io.disarm((bits & WRITE) != 0 && queue.nonEmpty() ? bits & ~WRITE : bits);   // the queue still needs WRITE
    }

    void setFlags(int bits) {
        flags = bits;
        io.flagsChanged(bits);
    }

    public InetSocketAddress peerAddress() {
        return peer;
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
        loop.guard.awaitNotDispatching(this, loop.inLoopThread());
        io.close((flags & CLOSE_ON_INVALIDATE) != 0);
        queue.clear();
        if (!loop.onLoop(this::dropHeld)) dropHeld();   // a closed loop runs nothing more
    }

    @Override
    protected void modeAdded(RunLoop.Mode mode) {
        io.modeAdded(mode);
    }

    @Override
    protected void modeRemoved(RunLoop.Mode mode) {
        io.modeRemoved(mode);
    }
}
