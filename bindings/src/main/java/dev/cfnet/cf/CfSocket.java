package dev.cfnet.cf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketError.Kind;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import dev.cfnet.cf.ffi.CF;
import dev.cfnet.cf.ffi.CFSocketContext;
import dev.cfnet.spi.Callbacks;
import dev.cfnet.spi.ScheduledSource;
import dev.cfnet.spi.SocketDriver;
import dev.cfnet.spi.WriteQueue;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A cfnet socket over a CFSocket. Callback types, enable/disable and flags go straight to CF; cfnet adds, from
 * outside CF: WRITE is always requested from CF (so the write queue can flush) and filtered for the user; send,
 * receive, shutdown and options use libc on the native socket, since CFSocketSendData hides partial writes.
 */
final class CfSocket extends ScheduledSource implements SocketDriver {
    private static final int READ = 1;
    private static final int ACCEPT = 2;
    private static final int DATA = 3;
    private static final int CONNECT = 4;
    private static final int WRITE = 8;
    private static final int CLOSE_ON_INVALIDATE = 128;

    private static final int IDLE = 0;
    private static final int CONNECTING = 1;
    private static final int CONNECTED = 2;
    private static final int LISTENING = 3;
    private static final int FAILED = 4;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final CfLoop loop;
    private final Socket owner;
    private final SocketHandler handler;
    private final SocketType type;
    private final ProtocolFamily family;
    private final boolean inet6;
    private final int userTypes;
    private final int readType;
    private final int fd;
    private final CfSocketHandle handle;
    private final Object lock = new Object();

    private MemorySegment s;                      // CFSocketRef, guarded by lock when swapped
    private MemorySegment source;                 // CFRunLoopSourceRef once scheduled
    private volatile boolean valid = true;
    private volatile int conn;
    private volatile int flags;                   // the user's flags; CF's, except while surviving an empty datagram
    private volatile InetSocketAddress peer;
    private volatile InetSocketAddress local;
    private InetSocketAddress remote;
    private volatile SocketError connectError;
    private boolean connectReported;              // loop thread
    private boolean userWrite;                    // the user's WRITE is armed (guarded by lock)
    private int userDisabled;                     // guarded by lock
    private final WriteQueue.Lazy queue = new WriteQueue.Lazy(Socket.DEFAULT_WRITE_QUEUE_LIMIT);
    private volatile SocketError writeError;
    private final WriteQueue.Sink sink = new FdSink();
    private final BufferSegment sendBuffer = new BufferSegment();
    private ByteBuffer view;
    private SocketEvent.Data dataEvent;
    /**
     * DATA and ACCEPT events CF delivered while the user had that callback disabled: CF reads and accepts ahead,
     * and re-arms ACCEPT after a callout even when it was disabled (it checks the READ bit). cfnet holds them and
     * delivers them in order once the callback is enabled again, so a disable holds from the next dispatch.
     * Loop thread only.
     */
    private final java.util.ArrayDeque<SocketEvent> held = new java.util.ArrayDeque<>();
    /**
     * CF invalidated its CFSocket after an end that cfnet holds (DATA was disabled); the descriptor is still open
     * and cfnet's socket valid until the end is delivered. No CF callback comes any more, so WRITE is served by
     * the loop itself: the queue flushed with direct sends, then Writable, as on a socket the peer has closed.
     */
    private volatile boolean cfGone;

    private CfSocket(CfLoop loop, Socket owner, SocketHandler handler, SocketType type, ProtocolFamily family,
                     int userTypes, int fd, CfSocketHandle handle, int conn) {
        super(loop.sources);
        this.loop = loop;
        this.owner = owner;
        this.handler = handler;
        this.type = type;
        this.family = family;
        this.inet6 = family == StandardProtocolFamily.INET6;
        this.userTypes = userTypes;
        this.readType = userTypes & 3;
        this.fd = fd;
        this.handle = handle;
        this.conn = conn;
        this.userWrite = (userTypes & WRITE) != 0;
        this.flags = (userTypes & ~CONNECT & ~WRITE) | CLOSE_ON_INVALIDATE;
    }

    private static int cfFamily(ProtocolFamily f) {
        return f == StandardProtocolFamily.INET6 ? SockAddr.afInet6(Native.OS) : SockAddr.AF_INET;
    }

    /**
     * The callbacks asked of CF: the user's, plus WRITE (the write queue) and, on a stream that may still connect,
     * CONNECT (its outcome). A connected or listening socket gets no CONNECT: CF would report a made-up connect for
     * it at its first write readiness, one more callout per accepted connection.
     */
    private static long cfTypes(int userTypes, SocketType type, int conn) {
        boolean mayConnect = type == SocketType.STREAM && (userTypes & 3) != ACCEPT && (conn == IDLE || conn == CONNECTING);
        return userTypes | WRITE | (mayConnect ? CONNECT : 0);
    }

    private static MemorySegment context(Arena a, MemorySegment info) {
        MemorySegment ctx = CFSocketContext.allocate(a);
        CFSocketContext.version(ctx, 0);
        CFSocketContext.info(ctx, info);
        CFSocketContext.release(ctx, Upcalls.RELEASE);
        return ctx;
    }

    static CfSocket create(CfLoop loop, Socket owner, ProtocolFamily family, SocketType type, int userTypes,
                           SocketHandler handler) throws SocketErrorException {
        boolean stream = type == SocketType.STREAM;
        Holder h = new Holder();
        MemorySegment info = Registry.add(h);
        MemorySegment s;
        int errno;
        try (Arena a = Arena.ofConfined()) {
            s = Native.Cf.socketCreate(cfFamily(family), stream ? 1 : 2, stream ? 6 : 17, cfTypes(userTypes, type, IDLE),
                    Upcalls.SOCKET, context(a, info));
            errno = Native.errno();
        }
        if (s.address() == 0) {
            Registry.remove(info);
            throw new SocketErrorException("create socket", SocketError.fromErrno(errno));
        }
        s = MemorySegment.ofAddress(s.address());
        int fd = CF.CFSocketGetNative(s);
        CfSocket cs = new CfSocket(loop, owner, handler, type, family, userTypes, fd,
                CfSocketHandle.adopted(fd, family, type), IDLE);
        cs.s = s;
        h.socket = cs;
        return cs;
    }

    static CfSocket wrap(CfLoop loop, Socket owner, CfSocketHandle h, int userTypes, SocketHandler handler)
            throws SocketErrorException {
        int rt = userTypes & 3;
        if (h.listening() && rt != ACCEPT && rt != 0) {
            throw new IllegalArgumentException("a listening handle takes ACCEPT, not " + userTypes);
        }
        if (!h.listening() && rt == ACCEPT) {
            throw new IllegalArgumentException("ACCEPT needs a listening handle; this one is " + h.type());
        }
        if (!h.claim()) {
            throw new IllegalStateException("the handle is closed, or already wrapped by another socket");
        }
        int conn = h.listening() ? LISTENING : h.peer() != null ? CONNECTED : IDLE;
        CfSocket cs = new CfSocket(loop, owner, handler, h.type(), h.family(), userTypes, h.fd(), h, conn);
        cs.peer = h.peer();
        MemorySegment s = cs.newCfSocket();
        if (s == null) {
            h.release(h.listening(), h.peer());
            throw new SocketErrorException("wrap", SocketError.of(Kind.INVALID_ARGUMENT));
        }
        cs.s = s;
        return cs;
    }

    /** A CFSocket for this socket's descriptor, with a fresh info id (registered to this socket). */
    private MemorySegment newCfSocket() {
        Holder holder = new Holder();
        holder.socket = this;
        MemorySegment info = Registry.add(holder);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment created = CF.CFSocketCreateWithNative(CF.kCFAllocatorDefault(), fd,
                    cfTypes(userTypes, type, conn), Upcalls.SOCKET, context(a, info));
            if (created.address() == 0) {
                Registry.remove(info);
                return null;
            }
            return MemorySegment.ofAddress(created.address());
        }
    }

    /** Registry entry: filled once the socket exists, so a callout arriving early finds nothing to call. */
    private static final class Holder {
        volatile CfSocket socket;
    }

    @Override
    public void start() {
        register();
        Native.suppressSigPipe(fd);
        // Streams are scheduled once connected or listening: a Linux CF reports a fresh stream socket ready.
        if (type == SocketType.DATAGRAM || conn == CONNECTED || conn == LISTENING) schedule();
    }

    /** CFSocketCreateRunLoopSource + CFRunLoopAddSource in each mode, then the user's disables. */
    private void schedule() {
        int disabled;
        MemorySegment src;
        MemorySegment socketRef;
        synchronized (lock) {
            if (!valid || source != null) return;
            socketRef = s;
            src = MemorySegment.ofAddress(CF.CFSocketCreateRunLoopSource(CF.kCFAllocatorDefault(), s, 0).address());
            source = src;
            disabled = userDisabled & userTypes & ~WRITE;
            // CF starts with WRITE armed; where nothing waits for it (no connect pending, none asked, nothing
            // queued) it would only cost a callout. (Not while connecting: CF learns of the connect through it.)
            if ((cfTypes(userTypes, type, conn) & CONNECT) == 0 && !userWrite && !queueNonEmpty()) disabled |= WRITE;
        }
        for (RunLoop.Mode m : modes()) CF.CFRunLoopAddSource(loop.rl, src, loop.modeString(m));
        if (disabled != 0) CF.CFSocketDisableCallBacks(socketRef, disabled);
    }

    @Override
    protected void modeAdded(RunLoop.Mode mode) {
        MemorySegment src = source;
        if (src != null && valid) CF.CFRunLoopAddSource(loop.rl, src, loop.modeString(mode));
    }

    @Override
    protected void modeRemoved(RunLoop.Mode mode) {
        MemorySegment src = source;
        if (src != null && valid) CF.CFRunLoopRemoveSource(loop.rl, src, loop.modeString(mode));
    }

    // ---- the callout (loop thread) ------------------------------------------------------------------------------

    /** A CFSocket callout, through {@link Upcalls#SOCKET}; the pointers are addresses. */
    static void onCallout(long type, long address, long data, long info) {
        if (Registry.get(info) instanceof Holder h && h.socket != null) {
            h.socket.callout((int) type, address, data);
        }
    }

    private void callout(int cfType, long address, long data) {
        loop.guard.enter(this);
        try {
            if (!valid) return;
            switch (cfType) {
                case CONNECT -> onConnect(data);
                case DATA -> onData(address, data);
                case ACCEPT -> onAccept(address, data);
                case READ -> deliver(SocketEvent.Readable.INSTANCE);
                case WRITE -> onWrite();
                default -> { }
            }
        } finally {
            loop.guard.exit();
        }
    }

    private void deliver(SocketEvent event) {
        try {
            handler.handle(owner, event);
        } catch (Throwable t) {
            Callbacks.failed(loop.owner, owner, t);
        }
    }

    private boolean userDisabled(int bit) {
        synchronized (lock) {
            return (userDisabled & bit) != 0;
        }
    }

    private void onConnect(long data) {
        if (connectReported) return;   // a CFSocket made anew for a connected socket reports CONNECT again
        connectReported = true;
        SocketEvent.Connected event;
        if (data == 0) {
            conn = CONNECTED;
            if (remote != null) peer = remote;
            event = SocketEvent.Connected.SUCCESS;
        } else {
            SocketError e = SocketError.fromErrno(CfData.intAt(data));
            conn = FAILED;
            connectError = e;
            event = SocketEvent.Connected.failure(e);
        }
        if ((userTypes & CONNECT) != 0 && !userDisabled(CONNECT)) deliver(event);
    }

    private boolean holding() {
        return !held.isEmpty() || userDisabled(readType);
    }

    private void onData(long address, long dataRef) {
        long len = CfData.length(dataRef);
        if (len == 0 && type == SocketType.STREAM && CfLibrary.IMPL.peeksEmptyReads() && stillOpen()) {
            // Not the end: OpenCFLite's manager read a socket another one's readiness was meant for (EAGAIN).
            survive(0);
            return;
        }
        if (holding()) {
            holdData(address, dataRef, len);
            return;
        }
        if (len > 0) {
            CfData.copy(dataRef, len, loop.dataSegment);
            if (view == null) view = loop.dataBuffer.asReadOnlyBuffer();
            view.limit((int) len).position(0);
            if (type == SocketType.STREAM) {
                if (dataEvent == null) dataEvent = new SocketEvent.Data(view, peer, Optional.empty());
                deliver(dataEvent);
            } else {
                deliver(new SocketEvent.Data(view, addressOf(address), Optional.empty()));
            }
            return;
        }
        if (type == SocketType.STREAM) {
            // CF's end of stream; it invalidates the socket when this callout returns, and so does cfnet.
            deliver(new SocketEvent.Data(EMPTY, peer != null ? peer : remote, Optional.ofNullable(connectError)));
            invalidate();
            return;
        }
        survive(address);
    }

    /**
     * CF invalidates any socket after empty DATA, datagram sockets included, so a zero-length datagram (or an ICMP
     * error on a connected one) would kill a UDP socket, and a spurious empty read (see stillOpen) a TCP one. cfnet
     * keeps the descriptor open through CF's invalidation and gives the socket a new CFSocket on it.
     */
    private void survive(long address) {
        MemorySegment old;
        synchronized (lock) {
            old = s;
            CF.CFSocketSetSocketFlags(old, flags & ~CLOSE_ON_INVALIDATE);
        }
        if (address != 0) deliver(new SocketEvent.Data(EMPTY, addressOf(address), Optional.empty()));
        loop.post(() -> {
            MemorySegment oldSource;
            synchronized (lock) {
                if (s != old) return;
                oldSource = source;
                source = null;
                if (valid) {
                    MemorySegment fresh = newCfSocket();
                    if (fresh == null) {
                        valid = false;
                    } else {
                        s = fresh;
                        CF.CFSocketSetSocketFlags(fresh, flags);
                    }
                }
            }
            if (oldSource != null) CF.CFRelease(oldSource);
            CF.CFRelease(old);
            if (valid) {
                schedule();
            } else {
                unregister();
                if ((flags & CLOSE_ON_INVALIDATE) != 0) handle.closeNow();
            }
        });
    }

    /**
     * After CF reported the end of a stream: true when the socket still has nothing to read and no end, i.e. CF's
     * read was spurious (recv with MSG_PEEK gets EAGAIN, not 0 or an error).
     */
    private boolean stillOpen() {
        if (connectError != null) return false;
        try (Arena a = Arena.ofConfined()) {
            long n = Native.recv(fd, a.allocate(1), 1, Native.MSG_PEEK | Native.MSG_DONTWAIT);
            return n > 0 || (n < 0 && Native.errno() == Native.EAGAIN);
        }
    }

    /** The address in a CFData of a sockaddr; the peer when there is none. */
    private InetSocketAddress addressOf(long cfData) {
        if (cfData == 0) return peer;
        long n = CfData.length(cfData);
        if (n <= 0) return peer;
        InetSocketAddress a = SockAddr.decode(Native.OS, CfData.bytes(cfData, n), n);
        return a != null ? a : peer;
    }

    private void onAccept(long address, long data) {
        int newFd = CfData.intAt(data);
        InetSocketAddress from = addressOf(address);
        CfSocketHandle h = CfSocketHandle.accepted(newFd, family, from);
        SocketEvent.Accepted event = new SocketEvent.Accepted(h, from);
        if (holding()) {
            held.add(event);
            cfDisable(ACCEPT);   // CF just re-armed it: keep further connections in the kernel's backlog
            return;
        }
        deliver(event);
        h.close();   // not wrapped during the callback: nobody owns it
    }

    private void holdData(long address, long dataRef, long len) {
        if (len > 0) {
            byte[] copy = CfData.bytes(dataRef, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            InetSocketAddress from = type == SocketType.STREAM ? peer : addressOf(address);
            held.add(new SocketEvent.Data(ByteBuffer.wrap(copy).asReadOnlyBuffer(), from, Optional.empty()));
            return;
        }
        if (type == SocketType.STREAM) {
            // The end, held: CF invalidates its CFSocket when this returns; cfnet keeps the descriptor (and its
            // own socket valid) until the end is delivered.
            synchronized (lock) {
                long cfFlags = CF.CFSocketGetSocketFlags(s);
                CF.CFSocketSetSocketFlags(s, cfFlags & ~CLOSE_ON_INVALIDATE);
                cfGone = true;
            }
            held.add(new SocketEvent.Data(EMPTY, peer != null ? peer : remote, Optional.ofNullable(connectError)));
            if (userWrite || queueNonEmpty()) loop.post(this::writeWithoutCf);
        } else {
            surviveHeld(address);
        }
    }

    private void surviveHeld(long address) {
        held.add(new SocketEvent.Data(EMPTY, addressOf(address), Optional.empty()));
        survive(0);
    }

    /** Delivers held events while the callback stays enabled; loop thread, posted after an enable. */
    private void drainHeld() {
        loop.guard.enter(this);
        try {
            while (valid && !held.isEmpty() && !userDisabled(readType)) {
                SocketEvent e = held.poll();
                deliver(e);
                if (e instanceof SocketEvent.Accepted a) a.handle().close();
                if (e instanceof SocketEvent.Data d && d.isEmpty() && type == SocketType.STREAM) invalidate();
                if ((flags & readType) == 0) {
                    // no auto-re-enable: one event, then the callback waits for the next enable, as in CF
                    synchronized (lock) {
                        userDisabled |= readType;
                    }
                }
            }
        } finally {
            loop.guard.exit();
        }
    }

    private void onWrite() {
        WriteQueue q = queue.peek();
        if (q != null && !q.isEmpty()) {
            try {
                q.flush(sink);
            } catch (IOException e) {
                writeError = errorOf(e);
                q.clear();
            }
            if (!q.isEmpty()) {
                cfEnable(WRITE);   // CF's WRITE is one-shot: ask for the next
                return;
            }
        }
        boolean wanted;
        synchronized (lock) {
            wanted = userWrite && (userDisabled & WRITE) == 0;
            if (wanted && (flags & WRITE) == 0) userWrite = false;
        }
        if (wanted) deliver(SocketEvent.Writable.INSTANCE);
    }

    private void cfEnable(int bits) {
        synchronized (lock) {
            if (!valid) return;
            if (cfGone) {
                if ((bits & WRITE) != 0) loop.post(this::writeWithoutCf);
                return;
            }
            CF.CFSocketEnableCallBacks(s, bits);
        }
    }

    /** WRITE when CF's socket is gone (see cfGone): flush, then Writable; retried while the queue stays full. */
    private void writeWithoutCf() {
        loop.guard.enter(this);
        try {
            if (!valid) return;
            onWrite();
            if (valid && queueNonEmpty() && writeError == null) {
                CfLoop.later(1_000_000, () -> loop.post(this::writeWithoutCf));
            }
        } finally {
            loop.guard.exit();
        }
    }

    private void cfDisable(int bits) {
        synchronized (lock) {
            if (valid && !cfGone) CF.CFSocketDisableCallBacks(s, bits);
        }
    }

    // ---- operations (any thread) -------------------------------------------------------------------------------

    private MemorySegment cfData(Arena a, InetSocketAddress to) {
        MemorySegment sa = SockAddr.encode(Native.OS, to, inet6, a);
        return MemorySegment.ofAddress(CF.CFDataCreate(CF.kCFAllocatorDefault(), sa, sa.byteSize()).address());
    }

    @Override
    public void connect(InetSocketAddress to, long timeoutNanos) throws SocketErrorException {
        synchronized (lock) {
            switch (conn) {
                case IDLE -> { }
                case LISTENING -> throw new IllegalStateException("a listening socket cannot connect");
                case FAILED -> throw new IllegalStateException("connect failed on this socket already; create a "
                        + "new one");
                default -> throw new IllegalStateException("the socket is connected or connecting already");
            }
            if (readType == ACCEPT) {
                throw new IllegalStateException("a socket created with ACCEPT listens; it cannot connect");
            }
            conn = CONNECTING;
            remote = to;
        }
        long r;
        int errno;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = cfData(a, to);
            r = Native.Cf.connect(s, d, -1.0);
            errno = Native.errno();
            CF.CFRelease(d);
        }
        if (r != 0) {
            SocketError error = SocketError.fromErrno(errno == 0 ? Native.EBADF : errno);
            if (timeoutNanos > 0) {
                invalidate();
                throw new SocketErrorException("connect to " + to, error);
            }
            conn = FAILED;
            loop.post(() -> deliverConnectFailure(error));
            return;
        }
        if (type == SocketType.DATAGRAM) {
            conn = CONNECTED;
            peer = to;
            return;
        }
        if (timeoutNanos > 0) {
            SocketError error = awaitConnect(timeoutNanos);
            if (error != null) {
                invalidate();
                throw new SocketErrorException("connect to " + to, error);
            }
            peer = to;
            conn = CONNECTED;
        }
        schedule();   // as the CF idiom: the source goes on the loop once the connection is under way
    }

    /** Waits for a connection in progress; null once connected, else why not. */
    private SocketError awaitConnect(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return SocketError.of(Kind.TIMED_OUT);
            int n = Native.poll(fd, Native.POLLOUT, (int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)));
            if (n < 0) {
                int errno = Native.errno();
                if (errno == Native.EINTR) continue;
                return SocketError.fromErrno(errno);
            }
            if (n == 0) continue;
            int soError = Native.getIntOption(fd, Native.SOL_SOCKET, Native.SO_ERROR);
            if (soError < 0) return SocketError.fromErrno(Native.errno());
            return soError == 0 ? null : SocketError.fromErrno(soError);
        }
    }

    private void deliverConnectFailure(SocketError error) {
        loop.guard.enter(this);
        try {
            if (!valid) return;
            connectError = error;
            if ((userTypes & CONNECT) != 0 && !userDisabled(CONNECT)) {
                deliver(SocketEvent.Connected.failure(error));
            }
            if (!valid || userDisabled(readType)) return;
            if (readType == DATA) {
                deliver(new SocketEvent.Data(EMPTY, remote, Optional.of(error)));
                invalidate();
            } else if (readType == READ) {
                deliver(SocketEvent.Readable.INSTANCE);
            }
        } finally {
            loop.guard.exit();
        }
    }

    @Override
    public void setAddress(InetSocketAddress at) throws SocketErrorException {
        synchronized (lock) {
            if (conn != IDLE) {
                throw new IllegalStateException("setAddress must come before connect, and only once for a listener");
            }
        }
        try (Arena a = Arena.ofConfined()) {
            if (readType != ACCEPT) {
                // Only ACCEPT sockets listen; others bind, for a later connect or to receive datagrams.
                // (CFSocketSetAddress listens after any bind; on a datagram socket that fails, and Apple's CF logs it.)
                if (Native.bind(fd, SockAddr.encode(Native.OS, at, inet6, a)) != 0) {
                    throw new SocketErrorException("setAddress " + at, SocketError.fromErrno(Native.errno()));
                }
                return;
            }
            MemorySegment d = cfData(a, at);
            long r = Native.Cf.setAddress(s, d);
            int errno = Native.errno();
            CF.CFRelease(d);
            if (r != 0) {
                throw new SocketErrorException("setAddress " + at, SocketError.fromErrno(errno));
            }
        }
        conn = LISTENING;   // ACCEPT sockets are streams
        schedule();
    }

    private SocketErrorException closed(String op) {
        return new SocketErrorException(op, SocketError.of(Kind.CLOSED));
    }

    private static SocketError errorOf(IOException e) {
        return e instanceof SocketErrorException se ? se.error() : new SocketError(Kind.OTHER, 0, String.valueOf(e));
    }

    @Override
    public int send(ByteBuffer data, InetSocketAddress to, long timeoutNanos) throws SocketErrorException {
        if (!valid) throw closed("send");
        if (type == SocketType.STREAM) {
            if (queueNonEmpty()) {
                throw new IllegalStateException(queue.size() + " bytes given to write() are still queued; "
                        + "send() would overtake them. Keep to write(), or send once WRITE fires");
            }
            if (conn != CONNECTED) {
                throw new SocketErrorException("send", SocketError.of(Kind.NOT_CONNECTED));
            }
        } else if (to == null && conn != CONNECTED) {
            throw new SocketErrorException("send", new SocketError(Kind.NOT_CONNECTED,
                    SocketError.of(Kind.NOT_CONNECTED).code(), "a datagram needs an address unless the socket "
                    + "is connected"));
        }
        long deadline = System.nanoTime() + timeoutNanos;
        int total = 0;
        // No arena per call: direct buffers are sent from (their remembered segment), heap bytes through the
        // thread's scratch buffer, so a steady stream of sends allocates nothing.
        MemorySegment scratch = data.isDirect() ? null : Native.scratch();
        MemorySegment addr = to == null ? null : SockAddr.encode(Native.OS, to, inet6, Native.scratchAddress());
        int flagsOut = Native.MSG_DONTWAIT | Native.MSG_NOSIGNAL;
        do {
            MemorySegment chunk;
            int n = data.remaining();
            if (scratch == null) {
                chunk = sendBuffer.of(data);
            } else {
                n = Math.min(n, Native.SCRATCH_SIZE);
                copyHeap(data, scratch, n);
                chunk = scratch;
            }
            long w = addr == null ? Native.send(fd, chunk, n, flagsOut) : Native.sendTo(fd, chunk, n, flagsOut, addr);
            if (w >= 0) {
                data.position(data.position() + (int) w);
                total += (int) w;
                if (type == SocketType.DATAGRAM) return total;
                continue;
            }
            int errno = Native.errno();
            if (errno == Native.EINTR) continue;
            if (errno != Native.EAGAIN) {
                throw new SocketErrorException("send", valid ? SocketError.fromErrno(errno)
                        : SocketError.of(Kind.CLOSED), total, null);
            }
            if (timeoutNanos <= 0) {
                throw new SocketErrorException("send", SocketError.of(Kind.WOULD_BLOCK), total, null);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || Native.poll(fd, Native.POLLOUT, (int) Math.max(1, left / 1_000_000)) == 0) {
                throw new SocketErrorException("send", SocketError.of(Kind.TIMED_OUT), total, null);
            }
            if (!valid) throw new SocketErrorException("send", SocketError.of(Kind.CLOSED), total, null);
        } while (data.hasRemaining());
        return total;
    }

    /** Copies {@code n} bytes at {@code heap}'s position to the start of {@code dst}. */
    private static void copyHeap(ByteBuffer heap, MemorySegment dst, int n) {
        if (heap.hasArray()) {
            MemorySegment.copy(heap.array(), heap.arrayOffset() + heap.position(), dst, ValueLayout.JAVA_BYTE, 0, n);
        } else {
            MemorySegment.copy(MemorySegment.ofBuffer(heap), 0, dst, 0, n);   // read-only heap buffer
        }
    }

    /** The write queue's way out: non-blocking sends on the descriptor. */
    private final class FdSink implements WriteQueue.Sink {
        @Override
        public long write(ByteBuffer[] buffers, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                int n = write(buffers[i]);
                total += n;
                if (buffers[i].hasRemaining()) break;
            }
            return total;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!src.hasRemaining()) return 0;
            if (!src.isDirect()) {
                throw new IllegalArgumentException("the write queue holds direct buffers only");
            }
            long w = Native.send(fd, MemorySegment.ofBuffer(src), src.remaining(),
                    Native.MSG_DONTWAIT | Native.MSG_NOSIGNAL);
            if (w < 0) {
                int errno = Native.errno();
                if (errno == Native.EAGAIN || errno == Native.EINTR) return 0;
                throw new SocketErrorException("write", SocketError.fromErrno(errno));
            }
            src.position(src.position() + (int) w);
            return (int) w;
        }
    }

    private boolean queueNonEmpty() {
        return queue.nonEmpty();
    }

    @Override
    public int write(ByteBuffer data) throws SocketErrorException {
        if (!valid) throw closed("write");
        SocketError we = writeError;
        if (we != null) throw new SocketErrorException("write", we);
        if (conn == LISTENING || readType == ACCEPT) {
            throw new IllegalStateException("a listening socket has nothing to write to");
        }
        if (conn == FAILED) throw new SocketErrorException("write", SocketError.of(Kind.NOT_CONNECTED));
        WriteQueue q = queue.get();
        int n;
        if (conn == CONNECTED) {
            if (!data.isDirect()) {
                n = q.offer(data);   // heap bytes are copied into the queue's direct chunks, then flushed below
            } else {
                try {
                    n = q.writeThrough(sink, data);
                } catch (IOException e) {
                    writeError = errorOf(e);
                    throw new SocketErrorException("write", writeError, 0, e);
                }
            }
            if (!q.isEmpty() && loop.inLoopThread()) {
                try {
                    q.flush(sink);
                } catch (IOException e) {
                    writeError = errorOf(e);
                    q.clear();
                }
            }
        } else {
            n = q.offer(data);
        }
        if (!q.isEmpty()) cfEnable(WRITE);
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
        if (readType == ACCEPT || conn == LISTENING) {
            throw new IllegalStateException("a listening socket has nothing to receive");
        }
        SocketError failed = connectError;
        if (conn == FAILED && failed != null) throw new SocketErrorException("receive", failed);
        if (conn != CONNECTED && conn != CONNECTING) {
            throw new SocketErrorException("receive", SocketError.of(Kind.NOT_CONNECTED));
        }
        int want = Math.min(dst.remaining(), Native.SCRATCH_SIZE);
        MemorySegment buf = Native.scratch();
        long n = Native.recv(fd, buf, want, Native.MSG_DONTWAIT);
        if (n > 0) {
            MemorySegment.copy(buf, 0, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + (int) n);
            return (int) n;
        }
        if (n == 0) return want == 0 ? 0 : -1;
        int errno = Native.errno();
        if (errno == Native.EAGAIN || errno == Native.EINTR) return 0;
        throw new SocketErrorException("receive", SocketError.fromErrno(errno));
    }

    @Override
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException {
        if (!valid) throw closed("receiveFrom");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(CfLoop.DATA_BUFFER);
            MemorySegment addr = a.allocate(SockAddr.MAX_SIZE);
            MemorySegment addrLen = a.allocate(JAVA_INT);
            addrLen.set(JAVA_INT, 0, SockAddr.MAX_SIZE);
            long n = Native.recvFrom(fd, buf, buf.byteSize(), Native.MSG_DONTWAIT, addr, addrLen);
            if (n < 0) {
                int errno = Native.errno();
                if (errno == Native.EAGAIN || errno == Native.EINTR) return null;
                throw new SocketErrorException("receiveFrom", SocketError.fromErrno(errno));
            }
            int k = (int) Math.min(n, dst.remaining());
            MemorySegment.copy(buf, 0, MemorySegment.ofBuffer(dst), 0, k);
            dst.position(dst.position() + k);
            return SockAddr.decode(Native.OS, addr, addrLen.get(JAVA_INT, 0));
        }
    }

    @Override
    public void enableCallBacks(int bits) {
        synchronized (lock) {
            userDisabled &= ~bits;
            if ((bits & WRITE) != 0) userWrite = true;
        }
        cfEnable(bits);
        if (readType != 0 && (bits & readType) != 0) loop.post(this::drainHeld);   // from the next pass on
    }

    @Override
    public void disableCallBacks(int bits) {
        int cfBits = bits;
        synchronized (lock) {
            userDisabled |= bits;
            if ((bits & WRITE) != 0) {
                userWrite = false;
                if (queueNonEmpty()) cfBits &= ~WRITE;   // the queue still needs WRITE to drain
            }
        }
        cfDisable(cfBits);
    }

    @Override
    public int flags() {
        return flags;
    }

    @Override
    public void setFlags(int bits) {
        synchronized (lock) {
            flags = bits;
            if (valid && !cfGone) CF.CFSocketSetSocketFlags(s, bits);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        // getsockname, not CFSocketCopyAddress: CF keeps the first answer, 0.0.0.0:0 if asked before connect.
        InetSocketAddress cached = local;
        if (cached != null || !valid) return cached;
        InetSocketAddress a = Native.socketName(fd, false);
        if (a != null && a.getPort() != 0) local = a;
        return a != null && a.getPort() != 0 ? a : null;
    }

    @Override
    public InetSocketAddress peerAddress() {
        return peer;
    }

    @Override
    public void shutdownOutput() throws SocketErrorException {
        if (readType == ACCEPT || conn == LISTENING) {
            throw new IllegalStateException("a listening socket has no output to shut down");
        }
        if (Native.shutdown(fd, Native.SHUT_WR) != 0) {
            throw new SocketErrorException("shutdownOutput", SocketError.fromErrno(Native.errno()));
        }
    }

    /** level, name of an int option; null when the CF backend does not support it. */
    private static int[] optionOf(SocketOption<?> o, boolean inet6) {
        if (o == StandardSocketOptions.TCP_NODELAY) return new int[] {Native.IPPROTO_TCP, Native.TCP_NODELAY};
        if (o == StandardSocketOptions.SO_SNDBUF) return new int[] {Native.SOL_SOCKET, Native.SO_SNDBUF};
        if (o == StandardSocketOptions.SO_RCVBUF) return new int[] {Native.SOL_SOCKET, Native.SO_RCVBUF};
        if (o == StandardSocketOptions.SO_REUSEADDR) return new int[] {Native.SOL_SOCKET, Native.SO_REUSEADDR};
        if (o == StandardSocketOptions.SO_REUSEPORT) return new int[] {Native.SOL_SOCKET, Native.SO_REUSEPORT};
        if (o == StandardSocketOptions.SO_KEEPALIVE) return new int[] {Native.SOL_SOCKET, Native.SO_KEEPALIVE};
        if (o == StandardSocketOptions.SO_BROADCAST) return new int[] {Native.SOL_SOCKET, Native.SO_BROADCAST};
        if (o == StandardSocketOptions.IP_TOS && !inet6) return new int[] {Native.IPPROTO_IP, Native.IP_TOS};
        return null;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        java.util.Objects.requireNonNull(value, "value");
        if (option == StandardSocketOptions.SO_LINGER) {
            // struct linger { int l_onoff; int l_linger; }: seconds (SO_LINGER_SEC on macOS); negative turns it off
            int seconds = (Integer) value;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment linger = a.allocate(8, 4);
                linger.set(JAVA_INT, 0, seconds < 0 ? 0 : 1);
                linger.set(JAVA_INT, 4, Math.max(0, seconds));
                if (Native.setsockopt(fd, Native.SOL_SOCKET, Native.SO_LINGER, linger) != 0) {
                    throw new SocketErrorException("setOption SO_LINGER", SocketError.fromErrno(Native.errno()));
                }
            }
            return;
        }
        int[] lv = optionOf(option, inet6);
        int v;
        if (value instanceof Boolean b) {
            v = b ? 1 : 0;
        } else if (value instanceof Integer i) {
            v = i;
        } else {
            throw new UnsupportedOperationException("option " + option.name() + " is not supported by the CF backend");
        }
        if (lv == null) {
            throw new UnsupportedOperationException("option " + option.name() + " is not supported by the CF backend");
        }
        if (v < 0 && (option == StandardSocketOptions.SO_SNDBUF || option == StandardSocketOptions.SO_RCVBUF)) {
            throw new IllegalArgumentException(option.name() + " must not be negative: " + v);
        }
        if (Native.setIntOption(fd, lv[0], lv[1], v) != 0) {
            throw new SocketErrorException("setOption " + option.name(), SocketError.fromErrno(Native.errno()));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> option) throws IOException {
        if (option == StandardSocketOptions.SO_LINGER) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment linger = a.allocate(8, 4);
                MemorySegment len = a.allocate(JAVA_INT);
                len.set(JAVA_INT, 0, 8);
                if (Native.getsockopt(fd, Native.SOL_SOCKET, Native.SO_LINGER, linger, len) != 0) {
                    throw new SocketErrorException("getOption SO_LINGER", SocketError.fromErrno(Native.errno()));
                }
                return (T) Integer.valueOf(linger.get(JAVA_INT, 0) == 0 ? -1 : linger.get(JAVA_INT, 4));
            }
        }
        int[] lv = optionOf(option, inet6);
        if (lv == null) {
            throw new UnsupportedOperationException("option " + option.name() + " is not supported by the CF backend");
        }
        int v = Native.getIntOption(fd, lv[0], lv[1]);
        if (v == -1 && Native.errno() != 0) {
            throw new SocketErrorException("getOption " + option.name(), SocketError.fromErrno(Native.errno()));
        }
        return option.type() == Boolean.class ? (T) Boolean.valueOf(v != 0) : (T) Integer.valueOf(v);
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    @Override
    public void invalidate() {
        if (!valid) return;
        localAddress();   // remembered: the CFSocket is gone afterwards
        MemorySegment socketRef;
        MemorySegment src;
        synchronized (lock) {
            if (!valid) return;
            valid = false;
            socketRef = s;
            src = source;
        }
        unregister();
        loop.guard.awaitNotDispatching(this, loop.inLoopThread());
        boolean close = (flags & CLOSE_ON_INVALIDATE) != 0;
        if (close) {
            handle.markClosed();
        } else {
            handle.release(conn == LISTENING, peer);
        }
        // cfnet closes the descriptor itself (see Fds), so CF must not.
        long cfFlags = CF.CFSocketGetSocketFlags(socketRef);
        if ((cfFlags & CLOSE_ON_INVALIDATE) != 0) CF.CFSocketSetSocketFlags(socketRef, cfFlags & ~CLOSE_ON_INVALIDATE);
        CF.CFSocketInvalidate(socketRef);   // CF calls the context release: the registry entry goes
        if (close) Fds.close(fd);
        if (src != null) CF.CFRelease(src);
        CF.CFRelease(socketRef);
        queue.clear();
        sendBuffer.clear();
        if (loop.inLoopThread()) {
            dropHeld();
        } else {
            loop.post(this::dropHeld);
        }
    }

    private void dropHeld() {
        SocketEvent e;
        while ((e = held.poll()) != null) {
            if (e instanceof SocketEvent.Accepted a) a.handle().close();
        }
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
