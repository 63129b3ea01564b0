package dev.cfnet.tls;

import dev.cfnet.CallBackType;
import dev.cfnet.RunLoop;
import dev.cfnet.RunLoopSource;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * A TLS session over a connected stream {@link Socket}, driven by the socket's callbacks on its run loop, with the
 * JDK's {@link SSLEngine}. Three ways to get one:
 * <ul>
 *   <li>{@link #connect}: a new socket, connected asynchronously, then the handshake (implicit TLS, e.g. port 465);</li>
 *   <li>{@link #wrap}: a connection handed over by {@link SocketEvent.Accepted} (a TLS server);</li>
 *   <li>{@link StartTls#upgrade}: an existing socket after a plaintext exchange (STARTTLS).</li>
 * </ul>
 *
 * <p><b>Ownership.</b> From then on the TLS socket owns the {@link Socket}: it receives the socket's events, arms
 * and disarms its callbacks, and writes its bytes. Do not write to the socket, change its callbacks or read from it
 * yourself; {@link #socket()} is there for its addresses and options. Events reach the {@link TlsHandler} as
 * {@link TlsEvent}s on the loop thread: {@link TlsEvent.Handshake} once, plaintext as {@link TlsEvent.Data} (bytes
 * valid during the callback only, as with {@link SocketEvent.Data}), {@link TlsEvent.Writable} once per
 * {@link #enableCallBacks enable}.
 *
 * <p><b>Writing.</b> {@link #write} never blocks, with the rules of {@link Socket#write}: it encrypts as many
 * plaintext bytes as the socket's write queue has room for (its limit, {@link #setWriteQueueLimit}), returns their
 * count and leaves the rest in the buffer; WRITE fires once everything written went out to the OS. Before the
 * handshake has finished it takes nothing (returns 0): write after the {@link TlsEvent.Handshake} event, or enable
 * WRITE, which fires once the session is up.
 *
 * <p><b>Reading.</b> DATA is on from the start. {@link #disableCallBacks disable} it to push back: the TLS socket
 * stops reading the socket (the handshake still goes on) and keeps what it has; enable it again to go on.
 *
 * <p><b>Ending.</b> {@link #isValid()} is true until {@link #invalidate()}, or until the callback of the session's
 * last event (a failed handshake, or an empty {@link TlsEvent.Data}) returns. {@link #invalidate()} (and
 * {@link #close()}) sends close_notify when nothing is queued ahead of it, then invalidates the socket, closing it;
 * no callback starts once it has returned. {@link #shutdownOutput()} is the graceful end: close_notify after
 * everything written, then the peer's reply arrives as an empty {@link TlsEvent.Data}.
 *
 * <p>Errors are {@link TlsError} values in events, or {@link TlsException} from calls; never a hang: a handshake
 * that does not finish within {@link TlsConfig#handshakeTimeout()} fails. {@link SSLEngine} delegated tasks
 * (certificate checks) run on the loop thread. All methods are safe from any thread.
 */
public final class TlsSocket implements RunLoopSource {
    private static final System.Logger LOG = System.getLogger("dev.cfnet.tls");
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** Records encrypted into one buffer before it goes to the socket: fewer, larger writes for bulk data. */
    private static final int RECORDS_PER_FLUSH = 4;
    /** What {@link #step} returns for the peer's close_notify (compared by identity). */
    private static final TlsEvent END = new TlsEvent.Data(EMPTY, null, Optional.empty());

    private final RunLoop loop;
    private final TlsConfig config;
    private final TlsHandler handler;
    private final SSLEngine engine;
    private final Object lock = new Object();
    private final Object guard = new Object();

    private volatile Socket socket;
    private volatile InetSocketAddress peer;
    private volatile boolean readMode;          // the socket delivers READ rather than DATA

    // Guarded by lock.
    private ByteBuffer netOut;                  // heap, fill mode: records wrapped and not moved to wire yet
    private ByteBuffer wire;                    // direct, read mode: ciphertext the socket has not taken
    private int packetSize;
    private int appSize;
    private boolean writeArmed;
    private boolean outputShut;
    private boolean closeNotified;              // the peer's close_notify arrived
    private TlsError failure;
    private SSLException startFailure;          // beginHandshake failed; reported on the loop
    private volatile boolean handshakeDone;
    private volatile boolean dataEnabled = true;
    private volatile boolean ended;             // the last event is delivered (or under way), or invalidated

    // Guarded by guard.
    private volatile boolean invalidated;
    private int tasksRunning;

    // Loop thread only.
    private ByteBuffer netIn;                   // fill mode: ciphertext not unwrapped yet
    private ByteBuffer appIn;
    private ByteBuffer appView;
    private TlsEvent.Data dataEvent;
    private boolean socketReading = true;       // what the socket's read callback was last set to
    private volatile Optional<SocketError> pendingEnd;   // the socket ended while plaintext waited for DATA to be enabled
    private volatile Timer handshakeTimer;

    private TlsSocket(RunLoop loop, TlsConfig config, TlsHandler handler, int peerPort) {
        this.loop = loop;
        this.config = config;
        this.handler = handler;
        this.engine = config.newEngine(peerPort);
        SSLSession s = engine.getSession();
        this.packetSize = s.getPacketBufferSize();
        this.appSize = s.getApplicationBufferSize();
        // The engine works on heap buffers (the JDK's ciphers take arrays without a copy or an allocation); the
        // socket gets a direct one, which both backends hand to the OS at once, from any thread.
        this.netOut = ByteBuffer.allocate(RECORDS_PER_FLUSH * packetSize);
        this.wire = ByteBuffer.allocateDirect(RECORDS_PER_FLUSH * packetSize).flip();
        this.netIn = ByteBuffer.allocate(packetSize + 64 * 1024);
        this.appIn = ByteBuffer.allocate(2 * appSize);
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            startFailure = e;
        }
    }

    // ---- creation ----------------------------------------------------------------------------------------------

    /**
     * Connects a new socket to {@code remote} asynchronously and runs the handshake once connected; a failed connect
     * arrives as a failed {@link TlsEvent.Handshake} of kind {@link TlsError.Kind#NETWORK}.
     *
     * @param loop    the loop whose thread runs the callbacks
     * @param remote  a resolved address
     * @param config  usually {@link TlsConfig#client}
     * @param handler the callback
     * @return the TLS socket, handshaking once connected
     * @throws SocketErrorException when the OS refuses a socket
     */
    public static TlsSocket connect(RunLoop loop, InetSocketAddress remote, TlsConfig config, TlsHandler handler)
            throws SocketErrorException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        if (remote.isUnresolved()) {
            throw new IllegalArgumentException("connect: '" + remote.getHostString() + "' is not resolved; resolve "
                    + "it with Host.resolve first");
        }
        TlsSocket t = new TlsSocket(loop, config, handler, remote.getPort());
        Socket s = Socket.create(loop, remote.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                        : StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(CallBackType.CONNECT, CallBackType.DATA, CallBackType.WRITE), t::onSocketEvent);
        try {
            t.peer = remote;
            t.attach(s, false);
            s.connect(remote, Duration.ZERO);
        } catch (RuntimeException | SocketErrorException e) {
            t.invalidate();
            throw e;
        }
        return t;
    }

    /**
     * Wraps a connected native socket, typically the connection of an {@link SocketEvent.Accepted} event (call it
     * during that callback), and starts the handshake at once.
     *
     * @param loop    the loop whose thread runs the callbacks
     * @param handle  a connected STREAM handle of the loop's backend; the TLS socket owns it from now on
     * @param config  usually {@link TlsConfig#server}
     * @param handler the callback
     * @return the TLS socket, handshaking
     * @throws SocketErrorException when the handle cannot be adopted
     */
    public static TlsSocket wrap(RunLoop loop, SocketHandle handle, TlsConfig config, TlsHandler handler)
            throws SocketErrorException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        if (handle.type() != SocketType.STREAM) {
            throw new IllegalArgumentException("TLS needs a STREAM socket, not " + handle.type());
        }
        TlsSocket t = new TlsSocket(loop, config, handler, -1);
        Socket s = Socket.wrap(loop, handle, EnumSet.of(CallBackType.DATA, CallBackType.WRITE), t::onSocketEvent);
        try {
            t.attach(s, true);
        } catch (RuntimeException e) {
            t.invalidate();
            throw e;
        }
        return t;
    }

    /** STARTTLS: a TLS socket over {@code socket}, whose events {@link StartTls} hands over from now on. */
    static TlsSocket upgrade(Socket socket, TlsConfig config, TlsHandler handler, ByteBuffer alreadyReceived) {
        InetSocketAddress p = socket.peerAddress().orElseThrow(() -> new IllegalStateException(
                "the socket is not connected; STARTTLS needs a connection"));
        TlsSocket t = new TlsSocket(socket.loop(), config, handler, p.getPort());
        t.peer = p;
        if (alreadyReceived != null && alreadyReceived.hasRemaining()) {
            t.netIn = t.ensureRoom(t.netIn, alreadyReceived.remaining());
            t.netIn.put(alreadyReceived);
        }
        t.attach(socket, true);
        return t;
    }

    /** Takes the socket over; with {@code start}, begins the handshake on the loop (else at CONNECT). */
    private void attach(Socket s, boolean start) {
        Set<CallBackType> types = s.callBackTypes();
        if (!types.contains(CallBackType.WRITE) || !(types.contains(CallBackType.DATA)
                || types.contains(CallBackType.READ))) {
            throw new IllegalArgumentException("TLS needs a socket created with DATA (or READ) and WRITE callbacks; "
                    + "this one has " + types);
        }
        socket = s;
        readMode = types.contains(CallBackType.READ);
        if (peer == null) peer = s.peerAddress().orElse(null);
        handshakeTimer = loop.schedule(config.handshakeTimeout(), guarded(() -> {
            if (!handshakeDone) {
                fail(TlsError.of(TlsError.Kind.TIMED_OUT, "no TLS handshake within "
                        + config.handshakeTimeout().toMillis() + " ms"));
            }
        }));
        if (start) {
            s.enableCallBacks(readType());
            loop.execute(guarded(this::kick));
        }
    }

    private CallBackType readType() {
        return readMode ? CallBackType.READ : CallBackType.DATA;
    }

    /** Loop thread: starts the handshake (a client's ClientHello) and works through bytes received already. */
    private void kick() {
        SSLException f;
        synchronized (lock) {
            f = startFailure;
        }
        if (f != null) {
            fail(TlsError.classify(f, true));
            return;
        }
        driveNetIn();
    }

    // ---- socket events (loop thread) ---------------------------------------------------------------------------

    /** The events of an upgraded socket, from {@link StartTls}. */
    void onStartTlsEvent(Socket s, SocketEvent event) {
        onSocketEvent(s, event);
    }

    private void onSocketEvent(Socket s, SocketEvent event) {
        if (ended) return;
        if (socket == null) socket = s;   // Socket.wrap can deliver before attach() has run
        switch (event) {
            case SocketEvent.Connected c when c.failed() -> fail(TlsError.network(c.error().orElseThrow()));
            case SocketEvent.Connected c -> {
                if (peer == null) peer = s.peerAddress().orElse(null);
                kick();
            }
            case SocketEvent.Data d when d.isEmpty() -> onEnd(d.error());
            case SocketEvent.Data d -> onCiphertext(d.bytes());
            case SocketEvent.Readable r -> onReadable(s);
            case SocketEvent.Writable w -> onSocketWritable();
            case SocketEvent.Accepted a -> { }   // never: a TLS socket's socket does not listen
        }
    }

    /**
     * A DATA event: its bytes are copied into netIn (a heap buffer: the engine decrypts arrays fastest, and the
     * event's buffer is read-only and lives only during the callback) and worked through from there.
     */
    private void onCiphertext(ByteBuffer bytes) {
        netIn = ensureRoom(netIn, bytes.remaining());
        netIn.put(bytes);
        driveNetIn();
    }

    private ByteBuffer ensureRoom(ByteBuffer buf, int more) {
        if (buf.remaining() >= more) return buf;
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more));
        buf.flip();
        bigger.put(buf);
        return bigger;
    }

    private void onReadable(Socket s) {
        driveNetIn();
        if (ended || held()) return;
        netIn = ensureRoom(netIn, packetSize);
        int n;
        try {
            n = s.receive(netIn);
        } catch (SocketErrorException e) {
            onEnd(Optional.of(e.error()));
            return;
        }
        if (n < 0) {
            onEnd(Optional.empty());
        } else if (n > 0) {
            driveNetIn();
        }
    }

    private void driveNetIn() {
        if (netIn.position() == 0 && handshakeDone) return;
        netIn.flip();
        try {
            drive(netIn);
        } finally {
            netIn.compact();
        }
        if (!ended && held()) pauseReading();
    }

    /** End of stream, or a read error, on the socket (which the backend invalidates after this callback). */
    private void onEnd(Optional<SocketError> error) {
        driveNetIn();
        if (ended) return;
        if (held() && netIn.position() > 0) {
            pendingEnd = error;   // told once the plaintext before it is delivered
            return;
        }
        if (error.isPresent()) {
            fail(TlsError.network(error.get()));
        } else {
            fail(TlsError.of(TlsError.Kind.TRUNCATED, handshakeDone
                    ? "the peer closed the connection without close_notify" + (netIn.position() > 0
                    ? " in the middle of a record" : "")
                    : "the peer closed the connection during the TLS handshake"));
        }
    }

    private boolean held() {
        return handshakeDone && !dataEnabled;
    }

    private void pauseReading() {
        if (socketReading && socket.isValid()) {
            socketReading = false;
            socket.disableCallBacks(readType());
        }
    }

    private void resumeReading() {
        if (!socketReading && socket.isValid()) {
            socketReading = true;
            socket.enableCallBacks(readType());
        }
    }

    private void onSocketWritable() {
        boolean fire = false;
        TlsError failed;
        synchronized (lock) {
            if (ended) return;
            try {
                flush();
            } catch (TlsException e) {
                if (failure == null) failure = e.error();
            }
            failed = failure;
            if (failed == null) {
                if (pending() > 0 || socket.queuedBytes() > 0) {
                    socket.enableCallBacks(CallBackType.WRITE);
                    return;
                }
                fire = writeArmed && handshakeDone && !outputShut;
                if (fire) writeArmed = false;
            }
        }
        if (failed != null) {
            fail(failed);
        } else if (fire) {
            callout(TlsEvent.Writable.INSTANCE);
        }
    }

    // ---- the engine (loop thread) ------------------------------------------------------------------------------

    /** Unwraps what {@code src} holds, answers the handshake and delivers events, until it needs more bytes. */
    private void drive(ByteBuffer src) {
        while (!ended) {
            TlsEvent ev;
            try {
                synchronized (lock) {
                    ev = step(src);
                }
            } catch (SSLException e) {
                fail(TlsError.classify(e, !handshakeDone));
                return;
            } catch (TlsException e) {
                fail(e.error());
                return;
            } catch (RuntimeException e) {
                fail(TlsError.classify(e, !handshakeDone));
                return;
            }
            if (ev == null) return;
            if (ev == END) {
                synchronized (lock) {
                    try {
                        engine.closeOutbound();
                        wrapClose();   // our close_notify in answer
                    } catch (SSLException | TlsException | RuntimeException e) {
                        LOG.log(Level.DEBUG, () -> "no close_notify sent in answer: " + e);
                    }
                }
                finish(new TlsEvent.Data(EMPTY, peer, Optional.empty()));
                return;
            }
            callout(ev);
            if (ev instanceof TlsEvent.Handshake) {
                if (ended) return;
                synchronized (lock) {
                    if (writeArmed) socket.enableCallBacks(CallBackType.WRITE);
                }
            }
        }
    }

    /**
     * Under the lock: engine work until there is an event to deliver (returned) or nothing more to do now (null).
     * Leaves {@code src} positioned after what the engine consumed.
     */
    private TlsEvent step(ByteBuffer src) throws SSLException, TlsException {
        for (;;) {
            if (closeNotified) return END;
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
                if (engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
                    // What a task failed with (a refused certificate) shows at the next wrap or unwrap.
                    SSLEngineResult r = wrapAll(EMPTY);
                    if (r.bytesProduced() > 0) flush();
                    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && !handshakeDone) {
                        return handshakeFinished();
                    }
                }
                continue;
            }
            if (hs == HandshakeStatus.NEED_WRAP) {
                SSLEngineResult r = wrapAll(EMPTY);
                flush();
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && !handshakeDone) return handshakeFinished();
                if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0
                        && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    return null;   // outbound closed; nothing more to wrap
                }
                continue;
            }
            if (held() || !src.hasRemaining()) return null;
            if (appIn.position() > 0) appIn.clear();
            SSLEngineResult r;
            for (;;) {
                r = engine.unwrap(src, appIn);
                SSLEngineResult.Status st = r.getStatus();
                if (st == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    if (appIn.position() > 0) break;
                    appSize = Math.max(appSize, engine.getSession().getApplicationBufferSize());
                    appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2, appSize));
                    dataEvent = null;
                    continue;
                }
                if (st != SSLEngineResult.Status.OK || r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
                        || !src.hasRemaining() || appIn.remaining() < appSize
                        || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                    break;
                }
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                packetSize = Math.max(packetSize, engine.getSession().getPacketBufferSize());
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && !handshakeDone) {
                if (appIn.position() > 0) return data();   // unlikely: data before the handshake event
                return handshakeFinished();
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) closeNotified = true;
            if (appIn.position() > 0) return data();
            if (closeNotified) return END;
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) return null;
            if (r.bytesConsumed() == 0 && r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) return null;
        }
    }

    private TlsEvent handshakeFinished() {
        handshakeDone = true;
        Timer t = handshakeTimer;
        if (t != null) t.invalidate();
        return TlsEvent.Handshake.success(engine.getSession());
    }

    private TlsEvent data() {
        if (dataEvent == null) {
            appView = appIn.asReadOnlyBuffer();
            dataEvent = new TlsEvent.Data(appView, peer, Optional.empty());
        }
        appView.limit(appIn.position()).position(0);
        appIn.clear();
        return dataEvent;
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** Under the lock: wraps {@code src} (EMPTY for handshake and alert bytes) into netOut, flushing as it fills. */
    private SSLEngineResult wrapAll(ByteBuffer src) throws SSLException, TlsException {
        for (;;) {
            if (netOut.remaining() < packetSize) flush();
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) return r;
            packetSize = Math.max(packetSize, engine.getSession().getPacketBufferSize());
            flush();
            if (netOut.capacity() < packetSize) netOut = ByteBuffer.allocate(RECORDS_PER_FLUSH * packetSize);
        }
    }

    /** Ciphertext not handed to the socket yet. */
    private int pending() {
        return netOut.position() + wire.remaining();
    }

    /**
     * Under the lock: moves netOut's records to the wire buffer and hands it to the socket; WRITE brings the rest
     * once the socket drained. Handshake and alert bytes are never dropped: the wire buffer grows if it must.
     */
    private void flush() throws TlsException {
        if (netOut.position() > 0) {
            netOut.flip();
            if (wire.capacity() - wire.remaining() < netOut.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocateDirect(wire.remaining() + netOut.remaining() + packetSize);
                bigger.put(wire);
                wire = bigger.flip();
            }
            wire.compact();
            wire.put(netOut);
            wire.flip();
            netOut.clear();
        }
        if (!wire.hasRemaining()) return;
        try {
            socket.write(wire);
        } catch (SocketErrorException e) {
            throw new TlsException("write", TlsError.network(e.error()));
        }
        if (wire.hasRemaining()) socket.enableCallBacks(CallBackType.WRITE);
    }

    // ---- endings -----------------------------------------------------------------------------------------------

    /** Loop thread: the session failed; sends the engine's alert, delivers the last event, invalidates. */
    private void fail(TlsError error) {
        if (ended) return;
        synchronized (lock) {
            if (failure == null) failure = error;
            try {
                engine.closeOutbound();
                wrapClose();
            } catch (SSLException | TlsException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "no alert sent after " + error + ": " + e);
            }
        }
        finish(handshakeDone ? new TlsEvent.Data(EMPTY, peer, Optional.of(error)) : TlsEvent.Handshake.failure(error));
    }

    /** Delivers the last event and invalidates (the close_notify, if any, is sent already). */
    private void finish(TlsEvent last) {
        ended = true;
        Timer t = handshakeTimer;
        if (t != null) t.invalidate();
        callout(last);
        invalidate();
    }

    /** Under the lock: the close_notify (or alert) the closed outbound side still has, out to the socket. */
    private void wrapClose() throws SSLException, TlsException {
        for (int i = 0; i < 8 && !engine.isOutboundDone(); i++) {
            SSLEngineResult r = wrapAll(EMPTY);
            if (r.bytesProduced() == 0) break;
        }
        flush();
    }

    private void callout(TlsEvent event) {
        if (invalidated) return;   // invalidate() ran while this thread waited for the lock: no more callbacks
        try {
            handler.handle(this, event);
        } catch (Throwable t) {
            callbackFailed(t);
        }
    }

    private void callbackFailed(Throwable t) {
        try {
            loop.errorHandler().callbackFailed(loop, this, t);
        } catch (Throwable second) {
            try {
                second.addSuppressed(t);
                LOG.log(Level.ERROR, "error handler of run loop '" + loop.name() + "' threw", second);
            } catch (Throwable ignored) {
                // Logging failed too (out of memory): the loop must go on.
            }
        }
    }

    /** A task for the loop that does not start once the TLS socket is invalidated, and that invalidate waits for. */
    private Runnable guarded(Runnable task) {
        return () -> {
            synchronized (guard) {
                if (invalidated) return;
                tasksRunning++;
            }
            try {
                task.run();
            } catch (Throwable t) {
                callbackFailed(t);
            } finally {
                synchronized (guard) {
                    tasksRunning--;
                    guard.notifyAll();
                }
            }
        };
    }

    // ---- operations (any thread) -------------------------------------------------------------------------------

    /**
     * Encrypts and queues plaintext without blocking, as {@link Socket#write}: takes as many of {@code src}'s
     * remaining bytes as the write queue has room for, advances its position past them and returns their count.
     * Returns 0 until the handshake has finished. What was taken is sent in order; WRITE (when enabled) fires once
     * all of it is out.
     *
     * @param src the plaintext, from its position to its limit
     * @return the bytes taken
     * @throws TlsException {@link TlsError.Kind#CLOSED} once invalidated or after {@link #shutdownOutput()}, or the
     *                      error that ended the session
     */
    public int write(ByteBuffer src) throws TlsException {
        Objects.requireNonNull(src, "src");
        TlsError err;
        synchronized (lock) {
            if (invalidated) throw new TlsException("write", TlsError.of(TlsError.Kind.CLOSED,
                    "the TLS socket is invalidated"));
            if (failure != null) throw new TlsException("write", failure);
            if (outputShut) throw new TlsException("write", TlsError.of(TlsError.Kind.CLOSED,
                    "the output is shut down (close_notify sent)"));
            if (!handshakeDone || !src.hasRemaining()) return 0;
            long room = (long) socket.writeQueueLimit() - socket.queuedBytes() - pending();
            if (room <= 0) return 0;
            int start = src.position();
            int limit = src.limit();
            src.limit((int) Math.min(limit, start + room));
            try {
                while (src.hasRemaining()) {
                    if (netOut.remaining() < packetSize) {
                        flush();
                        if (wire.hasRemaining()) break;   // the socket takes no more now
                    }
                    SSLEngineResult r = engine.wrap(src, netOut);
                    switch (r.getStatus()) {
                        case OK -> { }
                        case BUFFER_OVERFLOW -> packetSize = Math.max(packetSize,
                                engine.getSession().getPacketBufferSize() + 1);
                        case CLOSED -> throw new TlsException("write", TlsError.of(TlsError.Kind.CLOSED,
                                "the TLS session is closed"));
                        case BUFFER_UNDERFLOW -> throw new IllegalStateException("wrap reported an underflow");
                    }
                    // A key update or renegotiation under way: answer it as part of this write.
                    HandshakeStatus hs = engine.getHandshakeStatus();
                    if (hs == HandshakeStatus.NEED_TASK) runTasks();
                    if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) wrapAll(EMPTY);
                }
                flush();
                return src.position() - start;
            } catch (SSLException e) {
                err = TlsError.classify(e, false);
            } catch (TlsException e) {
                err = e.error();
            } finally {
                src.limit(limit);
            }
            if (failure == null) failure = err;
        }
        loop.execute(guarded(() -> fail(err)));
        throw new TlsException("write", err);
    }

    /**
     * Plaintext taken by {@link #write} whose ciphertext the OS has not taken yet, counted as ciphertext bytes.
     *
     * @return queued bytes
     */
    public long queuedBytes() {
        Socket s = socket;
        synchronized (lock) {
            return pending() + (s == null ? 0 : s.queuedBytes());
        }
    }

    /**
     * The most bytes the write queue holds (the socket's limit).
     *
     * @return the limit
     */
    public int writeQueueLimit() {
        return socket.writeQueueLimit();
    }

    /**
     * Sets the most bytes the write queue holds (the socket's limit); at least 1.
     *
     * @param bytes the new limit
     */
    public void setWriteQueueLimit(int bytes) {
        socket.setWriteQueueLimit(bytes);
    }

    /**
     * Arms DATA or WRITE. WRITE fires once, when everything written is out and the session is up; DATA, on from the
     * start, delivers again what arrived while it was disabled.
     *
     * @param first a type, DATA or WRITE
     * @param more  more types
     * @throws IllegalArgumentException for another type
     */
    public void enableCallBacks(CallBackType first, CallBackType... more) {
        Set<CallBackType> types = check(first, more);
        if (types.contains(CallBackType.WRITE)) {
            synchronized (lock) {
                writeArmed = true;
            }
            Socket s = socket;
            if (s.isValid()) s.enableCallBacks(CallBackType.WRITE);
        }
        if (types.contains(CallBackType.DATA) && !dataEnabled) {
            dataEnabled = true;
            try {
                loop.execute(guarded(this::resume));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // The loop is closed: nothing will be read again.
            }
        }
    }

    /** Loop thread: DATA is on again; deliver what was kept, then read the socket again. */
    private void resume() {
        driveNetIn();
        if (ended || held()) return;
        Optional<SocketError> end = pendingEnd;
        if (end != null) {
            pendingEnd = null;
            onEnd(end);
        } else {
            resumeReading();
        }
    }

    /**
     * Disarms DATA or WRITE. Without DATA the TLS socket stops reading the socket once the handshake is done (the
     * peer's writes then block on a full window) and keeps what it has until DATA is enabled again.
     *
     * @param first a type, DATA or WRITE
     * @param more  more types
     * @throws IllegalArgumentException for another type
     */
    public void disableCallBacks(CallBackType first, CallBackType... more) {
        Set<CallBackType> types = check(first, more);
        if (types.contains(CallBackType.WRITE)) {
            synchronized (lock) {
                writeArmed = false;
            }
        }
        if (types.contains(CallBackType.DATA)) {
            dataEnabled = false;
        }
    }

    private static Set<CallBackType> check(CallBackType first, CallBackType... more) {
        Objects.requireNonNull(first, "type");
        EnumSet<CallBackType> set = EnumSet.of(first);
        for (CallBackType t : more) set.add(Objects.requireNonNull(t, "type"));
        for (CallBackType t : set) {
            if (t != CallBackType.DATA && t != CallBackType.WRITE) {
                throw new IllegalArgumentException("a TLS socket has DATA and WRITE callbacks, not " + t);
            }
        }
        return set;
    }

    /**
     * Ends this side's output gracefully: after what was written, sends close_notify. Writing is over; the peer's
     * close_notify (or the end of the connection) then arrives as an empty {@link TlsEvent.Data}.
     *
     * @throws IllegalStateException before the handshake has finished (invalidate instead)
     * @throws TlsException          when the close_notify cannot be queued
     */
    public void shutdownOutput() throws TlsException {
        synchronized (lock) {
            if (invalidated || failure != null) return;
            if (!handshakeDone) {
                throw new IllegalStateException("the TLS handshake is not finished; invalidate() to abandon it");
            }
            if (outputShut) return;
            outputShut = true;
            engine.closeOutbound();
            try {
                wrapClose();
            } catch (SSLException e) {
                throw new TlsException("shutdownOutput", TlsError.classify(e, false));
            }
        }
    }

    /**
     * The negotiated session.
     *
     * @return the session once the handshake has finished, else empty
     */
    public Optional<SSLSession> session() {
        return handshakeDone ? Optional.of(engine.getSession()) : Optional.empty();
    }

    /**
     * The application protocol agreed by ALPN.
     *
     * @return the protocol, or empty when none was negotiated (or before the handshake has finished)
     */
    public Optional<String> applicationProtocol() {
        String p = handshakeDone ? engine.getApplicationProtocol() : null;
        return p == null || p.isEmpty() ? Optional.empty() : Optional.of(p);
    }

    /**
     * The config this TLS socket was made with.
     *
     * @return the config
     */
    public TlsConfig config() {
        return config;
    }

    /**
     * The socket under the session, for its addresses and options. Do not write to it or change its callbacks.
     *
     * @return the socket
     */
    public Socket socket() {
        return socket;
    }

    @Override
    public RunLoop loop() {
        return loop;
    }

    /**
     * True until {@link #invalidate()}, or until the callback of the session's last event returned.
     *
     * @return true while the session can be used
     */
    @Override
    public boolean isValid() {
        Socket s = socket;
        return !invalidated && s != null && (s.isValid() || pendingEnd != null);
    }

    /**
     * Ends the session now: sends close_notify when nothing is queued ahead of it (queued bytes are dropped, as by
     * {@link Socket#invalidate()}), and invalidates the socket, which closes it. Idempotent; any thread; once it
     * returns no callback of this TLS socket starts (one under way on the loop thread is waited for, unless this is
     * that callback).
     */
    @Override
    public void invalidate() {
        synchronized (guard) {
            if (invalidated) return;
            invalidated = true;
        }
        Socket s = socket;
        synchronized (lock) {
            if (!ended && failure == null && s != null && s.isValid() && pending() == 0
                    && s.queuedBytes() == 0) {
                try {
                    engine.closeOutbound();
                    wrapClose();
                } catch (SSLException | TlsException | RuntimeException e) {
                    LOG.log(Level.DEBUG, () -> "no close_notify sent: " + e);
                }
            } else {
                engine.closeOutbound();
            }
            ended = true;
        }
        Timer t = handshakeTimer;
        if (t != null) t.invalidate();
        if (s != null) s.invalidate();
        if (!loop.inLoopThread()) {
            synchronized (guard) {
                boolean interrupted = false;
                while (tasksRunning > 0) {
                    try {
                        guard.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "TlsSocket[" + config.role().name().toLowerCase(java.util.Locale.ROOT) + ", peer " + peer
                + (handshakeDone ? ", " + engine.getSession().getProtocol() : ", handshaking")
                + (isValid() ? "" : ", invalid") + "]";
    }
}
