package dev.cfnet.cf;

import static dev.cfnet.spi.CallBackBits.ACCEPT;
import static dev.cfnet.spi.CallBackBits.CLOSE_ON_INVALIDATE;
import static dev.cfnet.spi.CallBackBits.CONNECT;
import static dev.cfnet.spi.CallBackBits.DATA;
import static dev.cfnet.spi.CallBackBits.READ;
import static dev.cfnet.spi.CallBackBits.WRITE;

import dev.cfnet.RunLoop;
import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketType;
import dev.cfnet.cf.ffi.CF;
import dev.cfnet.cf.ffi.CFSocketContext;
import dev.cfnet.posix.DescriptorIo;
import dev.cfnet.posix.Libc;
import dev.cfnet.posix.PosixSocket;
import dev.cfnet.posix.SockAddr;
import dev.cfnet.spi.Connection;
import dev.cfnet.spi.OwnedHandle;
import dev.cfnet.spi.SocketCore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;

/**
 * The CF half of a socket: a CFSocket on the native descriptor, scheduled on the loop's CFRunLoop, whose callouts
 * become the core's events. Bytes go out with libc ({@link PosixSocket}): CFSocketSendData hides partial writes.
 * The CFSocket is made anew where CF invalidates one that cfnet keeps (after empty data on a datagram socket, or a
 * spurious end on OpenCFLite), and WRITE is served without CF where CF dropped its CFSocket at a held end.
 */
final class CfSocketIo extends DescriptorIo {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final CfLoop loop;
    private final SocketCore core;
    private final ProtocolFamily family;
    private final boolean inet6;
    private final CfSocketHandle handle;
    private final Object lock = new Object();
    private MemorySegment cfSocket;        // CFSocketRef, guarded by lock (made anew, see recreate)
    private long cfSocketTypes;            // the callbacks that CFSocket was made with, guarded by lock
    private MemorySegment source;          // its run loop source once scheduled, guarded by lock
    private boolean closed;                // guarded by lock
    /** CF dropped its CFSocket at an end the core holds: the descriptor stays, WRITE is served by cfnet. */
    private volatile boolean cfGone;
    private ByteBuffer view;               // read-only view of the loop's data buffer (loop thread)

    private CfSocketIo(CfLoop loop, SocketCore core, ProtocolFamily family, CfSocketHandle handle) {
        super(new PosixSocket(handle.fd(), family == StandardProtocolFamily.INET6));
        this.loop = loop;
        this.core = core;
        this.family = family;
        this.inet6 = family == StandardProtocolFamily.INET6;
        this.handle = handle;
    }

    /** What a CFSocket's info id stands for: filled once the socket exists, so an early callout finds nothing. */
    private static final class CalloutTarget {
        volatile CfSocketIo io;
    }

    static CfSocketIo create(CfLoop loop, SocketCore core, ProtocolFamily family, SocketType type)
            throws SocketErrorException {
        boolean stream = type == SocketType.STREAM;
        CalloutTarget target = new CalloutTarget();
        MemorySegment info = Registry.add(target);
        long types = cfTypes(core);
        MemorySegment s;
        int errno;
        try (Arena a = Arena.ofConfined()) {
            s = CfCalls.socketCreate(family == StandardProtocolFamily.INET6 ? Libc.AF_INET6 : Libc.AF_INET,
                    stream ? Libc.SOCK_STREAM : Libc.SOCK_DGRAM, stream ? Libc.IPPROTO_TCP : Libc.IPPROTO_UDP, types,
                    Upcalls.SOCKET, context(a, info));
            errno = Libc.errno();
        }
        if (s.address() == 0) {
            Registry.remove(info);
            throw new SocketErrorException("create socket", SocketError.fromErrno(errno));
        }
        s = MemorySegment.ofAddress(s.address());
        int fd = CF.CFSocketGetNative(s);
        CfSocketIo io = new CfSocketIo(loop, core, family, CfSocketHandle.adopted(fd, family, type));
        io.cfSocket = s;
        io.cfSocketTypes = types;
        target.io = io;
        return io;
    }

    static CfSocketIo wrap(CfLoop loop, SocketCore core, CfSocketHandle h) throws SocketErrorException {
        CfSocketIo io = new CfSocketIo(loop, core, h.family(), h);
        synchronized (io.lock) {
            if (!io.newCfSocket()) {
                throw new SocketErrorException("wrap", SocketError.of(SocketError.Kind.INVALID_ARGUMENT));
            }
        }
        return io;
    }

    /**
     * The callbacks asked of CF: the user's, plus WRITE (for the write queue) and CONNECT where a connect may still
     * come. A connected socket that did not ask for CONNECT gets none: CF would report a made-up connect for it at
     * its first write readiness, one more callout per accepted connection.
     */
    private static long cfTypes(SocketCore core) {
        Connection s = core.state();
        boolean mayConnect = core.type() == SocketType.STREAM && core.readType() != ACCEPT
                && (s == Connection.IDLE || s == Connection.STARTING || s == Connection.CONNECTING);
        return core.callBackTypes() | WRITE | (mayConnect ? CONNECT : 0);
    }

    private static MemorySegment context(Arena a, MemorySegment info) {
        MemorySegment ctx = CFSocketContext.allocate(a);
        CFSocketContext.version(ctx, 0);
        CFSocketContext.info(ctx, info);
        CFSocketContext.release(ctx, Upcalls.RELEASE);
        return ctx;
    }

    /** A CFSocket for the descriptor, with a fresh info id; false when CF made none. Under lock. */
    private boolean newCfSocket() {
        CalloutTarget target = new CalloutTarget();
        target.io = this;
        MemorySegment info = Registry.add(target);
        long types = cfTypes(core);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment made = CF.CFSocketCreateWithNative(CF.kCFAllocatorDefault(), handle.fd(), types,
                    Upcalls.SOCKET, context(a, info));
            if (made.address() == 0) {
                Registry.remove(info);
                return false;
            }
            cfSocket = MemorySegment.ofAddress(made.address());
            cfSocketTypes = types;
            return true;
        }
    }

    // ---- scheduling -----------------------------------------------------------------------------------------------

    @Override
    public void start() {
        posix.suppressSigPipe();
        Connection s = core.state();
        // Streams go on the loop once connected or listening: a Linux CF reports a fresh stream socket ready.
        if (core.type() == SocketType.DATAGRAM || s.isConnected() || s == Connection.LISTENING) schedule();
        boolean reported;
        synchronized (lock) {
            reported = (cfSocketTypes & CONNECT) != 0;
        }
        if (s == Connection.CONNECTED_UNREPORTED && !reported) loop.onLoop(this::markConnected);
    }

    /** A wrapped connected socket that asked for no CONNECT: nothing from CF will report it. */
    private void markConnected() {
        try {
            if (core.beginDispatch()) core.connected(null);
        } finally {
            core.endDispatch();
        }
    }

    /** CFSocketCreateRunLoopSource + CFRunLoopAddSource in each mode, then the user's disables. */
    private void schedule() {
        int toDisable;
        MemorySegment src;
        MemorySegment socketRef;
        synchronized (lock) {
            if (closed || source != null || cfSocket == null) return;
            socketRef = cfSocket;
            src = MemorySegment.ofAddress(CF.CFSocketCreateRunLoopSource(CF.kCFAllocatorDefault(), cfSocket, 0)
                    .address());
            source = src;
            toDisable = core.disabledCallBacks() & ~WRITE;
            // CF starts with WRITE armed; where nothing waits for it (no connect pending, none asked, nothing
            // queued) it would only cost a callout. (Not while connecting: CF learns of the connect through it.)
            if ((cfSocketTypes & CONNECT) == 0 && !core.writeWanted()) toDisable |= WRITE;
        }
        for (RunLoop.Mode m : core.modes()) CF.CFRunLoopAddSource(loop.cfRunLoop, src, loop.modeString(m));
        if (toDisable != 0) CF.CFSocketDisableCallBacks(socketRef, toDisable);
    }

    /** The run loop source while the socket is scheduled and open; else null. */
    private MemorySegment liveSource() {
        synchronized (lock) {
            return closed ? null : source;
        }
    }

    @Override
    public void modeAdded(RunLoop.Mode mode) {
        MemorySegment src = liveSource();
        if (src != null) CF.CFRunLoopAddSource(loop.cfRunLoop, src, loop.modeString(mode));
    }

    @Override
    public void modeRemoved(RunLoop.Mode mode) {
        MemorySegment src = liveSource();
        if (src != null) CF.CFRunLoopRemoveSource(loop.cfRunLoop, src, loop.modeString(mode));
    }

    @Override
    public void arm(int bits) {
        synchronized (lock) {
            if (closed) return;
            if (!cfGone) {
                if (cfSocket != null) CF.CFSocketEnableCallBacks(cfSocket, bits);
                return;
            }
        }
        if ((bits & WRITE) == 0) return;
        if (core.queueNonEmpty()) {
            CfLoop.later(1_000_000, () -> loop.post(this::writeWithoutCf));   // the socket buffer is full: retry
        } else {
            loop.post(this::writeWithoutCf);
        }
    }

    @Override
    public void disarm(int bits) {
        synchronized (lock) {
            if (!closed && !cfGone && cfSocket != null) CF.CFSocketDisableCallBacks(cfSocket, bits);
        }
    }

    @Override
    public void refresh() {
        // CF keeps its own enabled set: arm and disarm told it
    }

    @Override
    public void flagsChanged(int flags) {
        synchronized (lock) {
            if (!closed && !cfGone && cfSocket != null) CF.CFSocketSetSocketFlags(cfSocket, flags);
        }
    }

    // ---- callouts (loop thread) -----------------------------------------------------------------------------------

    /** A CFSocket callout, through {@link Upcalls#SOCKET}; the pointers are addresses. */
    static void onCallout(long type, long address, long data, long info) {
        if (Registry.get(info) instanceof CalloutTarget t && t.io != null) t.io.callout((int) type, address, data);
    }

    private void callout(int cfType, long address, long data) {
        try {
            if (!core.beginDispatch()) return;
            switch (cfType) {
                case CONNECT -> core.connected(data == 0 ? null : SocketError.fromErrno(CfData.intAt(data)));
                case DATA -> onData(address, data);
                case ACCEPT -> {
                    InetSocketAddress from = addressOf(address);
                    core.accepted(CfSocketHandle.accepted(CfData.intAt(data), family, from), from);
                }
                case READ -> core.readable();
                case WRITE -> core.writable();
                default -> { }
            }
        } finally {
            core.endDispatch();
        }
    }

    private void onData(long address, long dataRef) {
        long len = CfData.length(dataRef);
        if (len == 0) {
            if (core.type() == SocketType.DATAGRAM) {
                recreate();   // CF invalidates any socket after empty data: a zero-length datagram must not
                core.data(EMPTY, addressOf(address));
            } else if (CfLibrary.implementation().peeksEmptyReads() && core.state() != Connection.FAILED
                    && posix.stillOpen()) {
                recreate();   // not the end: OpenCFLite's manager read a socket with nothing to read (EAGAIN)
            } else {
                core.end(null);   // CF's end of stream; it invalidates its CFSocket after this callout
            }
            return;
        }
        CfData.copy(dataRef, len, loop.dataSegment);
        if (view == null) view = loop.dataBuffer.asReadOnlyBuffer();
        view.limit((int) len).position(0);
        core.data(view, core.type() == SocketType.STREAM ? core.peerAddress() : addressOf(address));
    }

    /** The address in a CFData of a sockaddr; the peer when there is none. */
    private InetSocketAddress addressOf(long cfData) {
        if (cfData == 0) return core.peerAddress();
        long n = CfData.length(cfData);
        if (n <= 0) return core.peerAddress();
        InetSocketAddress a = SockAddr.decode(Libc.OS, CfData.bytes(cfData, n), n);
        return a != null ? a : core.peerAddress();
    }

    /**
     * CF invalidates its CFSocket after this callout: keep the descriptor open through that and give the socket a
     * new CFSocket on it, on the loop's next pass.
     */
    private void recreate() {
        MemorySegment old;
        synchronized (lock) {
            old = cfSocket;
            if (old == null) return;
            CF.CFSocketSetSocketFlags(old, core.flags() & ~CLOSE_ON_INVALIDATE);
        }
        loop.post(() -> {
            MemorySegment oldSource;
            boolean made = false;
            synchronized (lock) {
                if (cfSocket != old) return;
                oldSource = source;
                source = null;
                cfSocket = null;
                if (!closed && newCfSocket()) {
                    made = true;
                    CF.CFSocketSetSocketFlags(cfSocket, core.flags());
                }
            }
            if (oldSource != null) CF.CFRelease(oldSource);
            CF.CFRelease(old);
            if (made) {
                schedule();
            } else {
                core.invalidate();
            }
        });
    }

    @Override
    public void endHeld() {
        synchronized (lock) {
            if (cfSocket == null) return;
            long cfFlags = CF.CFSocketGetSocketFlags(cfSocket);
            CF.CFSocketSetSocketFlags(cfSocket, cfFlags & ~CLOSE_ON_INVALIDATE);
            cfGone = true;
        }
        if (core.writeWanted()) loop.post(this::writeWithoutCf);
    }

    /** WRITE where CF's socket is gone (see cfGone): the core flushes and fires WRITE; a full buffer retries. */
    private void writeWithoutCf() {
        try {
            if (core.beginDispatch()) core.writable();
        } finally {
            core.endDispatch();
        }
    }

    // ---- operations (any thread) ----------------------------------------------------------------------------------

    private MemorySegment cfData(Arena a, InetSocketAddress to) {
        MemorySegment sa = SockAddr.encode(Libc.OS, to, inet6, a);
        return MemorySegment.ofAddress(CF.CFDataCreate(CF.kCFAllocatorDefault(), sa, sa.byteSize()).address());
    }

    private interface AddressCall {
        long call(MemorySegment cfSocket, MemorySegment address);
    }

    /** A CFSocket call with a CFData of {@code at}; throws with its errno when it did not return kCFSocketSuccess. */
    private void callWithAddress(String op, InetSocketAddress at, AddressCall call) throws SocketErrorException {
        long r;
        int errno;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = cfData(a, at);
            synchronized (lock) {
                r = cfSocket == null ? -1 : call.call(cfSocket, d);
                errno = Libc.errno();
            }
            CF.CFRelease(d);
        }
        if (r != 0) {
            throw new SocketErrorException(op + " " + at, SocketError.fromErrno(errno == 0 ? Libc.EBADF : errno));
        }
    }

    /** CFSocketConnectToAddress without waiting (-1). */
    private void cfConnect(InetSocketAddress to) throws SocketErrorException {
        callWithAddress("connect to", to, (s, d) -> CfCalls.connect(s, d, -1.0));
    }

    @Override
    public ConnectStart startConnect(InetSocketAddress remote) throws SocketErrorException {
        cfConnect(remote);
        return ConnectStart.PENDING;
    }

    @Override
    public void connectStarted() {
        schedule();   // as the CF idiom: the source goes on the loop once the connection is under way
    }

    @Override
    public void connectDatagram(InetSocketAddress remote) throws SocketErrorException {
        cfConnect(remote);
    }

    /**
     * What CFSocketSetAddress does (bind, and listen with backlog 256), by libc: only ACCEPT sockets listen (CF
     * tries on a datagram socket too), a failed listen is reported (CF ignores it), and nothing is logged (Apple's CF
     * on Linux prints every failed bind to stderr).
     */
    @Override
    public void bind(InetSocketAddress at, boolean listen) throws SocketErrorException {
        posix.bind(at);
        if (listen) {
            posix.listen(256);
            schedule();
        }
    }

    @Override
    public OwnedHandle handle() {
        return handle;
    }

    @Override
    public void close(boolean closeNativeSocket) {
        releasing();   // the address stays known (getsockname: CFSocketCopyAddress keeps its first answer)
        MemorySegment socketRef;
        MemorySegment src;
        synchronized (lock) {
            if (closed) return;
            closed = true;
            socketRef = cfSocket;
            src = source;
            cfSocket = null;
            source = null;
        }
        if (closeNativeSocket) {
            handle.markClosed();
        } else {
            handle.releaseAs(core.state() == Connection.LISTENING, core.peerAddress());
        }
        if (socketRef != null) {
            // cfnet closes the descriptor itself (see Fds), so CF must not.
            long cfFlags = CF.CFSocketGetSocketFlags(socketRef);
            if ((cfFlags & CLOSE_ON_INVALIDATE) != 0) {
                CF.CFSocketSetSocketFlags(socketRef, cfFlags & ~CLOSE_ON_INVALIDATE);
            }
            CF.CFSocketInvalidate(socketRef);   // CF calls the context release: the registry entry goes
        }
        if (closeNativeSocket) Fds.close(handle.fd());
        if (src != null) CF.CFRelease(src);
        if (socketRef != null) CF.CFRelease(socketRef);
        posix.forgetBuffers();
    }
}
