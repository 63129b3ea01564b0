package dev.cfnet.tls;

import dev.cfnet.CallBackType;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.Timer;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The state machine of one TLS session, behind {@link TlsSocket}: handshaking (within the timeout), open, then
 * ended by the peer's close_notify, a failure, the end of the connection or invalidate. It takes the socket's
 * events, has the {@link RecordLayer} wrap and unwrap, and turns the engine's results into {@link TlsEvent}s for
 * the {@link CallbackGate}; {@link InboundFlow} feeds it ciphertext.
 *
 * <p>The lock guards the record layer and the state that writers on other threads see; no callback runs under it.
 */
final class TlsSession {
    private static final System.Logger LOG = System.getLogger("dev.cfnet.tls");
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** What {@link #step} returns for the peer's close_notify (compared by identity). */
    private static final TlsEvent END = new TlsEvent.Data(EMPTY, null, Optional.empty());

    private final RunLoop loop;
    private final TlsConfig config;
    private final CallbackGate gate;
    private final SSLEngine engine;
    private final RecordLayer records;
    private final InboundFlow inbound;
    private final Object lock = new Object();

    private volatile Socket socket;
    private volatile InetSocketAddress peer;
    private volatile Timer handshakeTimer;

    // Guarded by lock.
    private boolean writeArmed;
    private boolean outputShut;
    private boolean closeNotified;              // the peer's close_notify arrived
    private TlsError failure;
    private SSLException startFailure;          // beginHandshake failed; reported on the loop
    private volatile boolean handshakeDone;
    private volatile boolean ended;             // the last event is delivered (or under way), or invalidated

    TlsSession(RunLoop loop, TlsConfig config, CallbackGate gate, int peerPort) {
        this.loop = loop;
        this.config = config;
        this.gate = gate;
        this.engine = config.newEngine(peerPort);
        this.records = new RecordLayer(engine);
        this.inbound = new InboundFlow(this, records, gate);
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            startFailure = e;
        }
    }

    /**
     * Takes the socket over; with {@code start}, begins the handshake on the loop (else at CONNECT).
     *
     * @param knownPeer the peer's address when the caller knows it better than the socket (null: ask the socket)
     */
    void attach(Socket s, InetSocketAddress knownPeer, boolean start) {
        Set<CallBackType> types = s.callBackTypes();
        if (!types.contains(CallBackType.WRITE) || !(types.contains(CallBackType.DATA)
                || types.contains(CallBackType.READ))) {
            throw new IllegalArgumentException("TLS needs a socket created with DATA (or READ) and WRITE callbacks; "
                    + "this one has " + types);
        }
        socket = s;
        inbound.readWith(types.contains(CallBackType.READ) ? CallBackType.READ : CallBackType.DATA);
        if (knownPeer != null) peer = knownPeer;
        if (peer == null) peer = s.peerAddress().orElse(null);
        handshakeTimer = loop.schedule(config.handshakeTimeout(), gate.guarded(() -> {
            if (!handshakeDone) {
                fail(TlsError.of(TlsError.Kind.TIMED_OUT, "no TLS handshake within "
                        + config.handshakeTimeout().toMillis() + " ms"));
            }
        }));
        if (start) {
            s.enableCallBacks(inbound.readType());
            gate.execute(this::start);
        }
    }

    /** Loop thread: starts the handshake (a client's ClientHello) and works through bytes received already. */
    private void start() {
        SSLException f;
        synchronized (lock) {
            f = startFailure;
        }
        if (f != null) {
            fail(TlsError.classify(f, true));
            return;
        }
        inbound.unwrapReceived();
    }

    // ---- socket events (loop thread) ---------------------------------------------------------------------------

    void onSocketEvent(Socket s, SocketEvent event) {
        if (ended) return;
        if (socket == null) socket = s;   // Socket.wrap can deliver before attach() has run
        switch (event) {
            case SocketEvent.Connected c when c.failed() -> fail(TlsError.network(c.error().orElseThrow()));
            case SocketEvent.Connected c -> {
                if (peer == null) peer = s.peerAddress().orElse(null);
                start();
            }
            case SocketEvent.Data d when d.isEmpty() -> inbound.onEnd(d.error());
            case SocketEvent.Data d -> inbound.onCiphertext(d.bytes());
            case SocketEvent.Readable r -> inbound.onReadable(s);
            case SocketEvent.Writable w -> onSocketWritable();
            case SocketEvent.Accepted a -> { }   // never: a TLS socket's socket does not listen
        }
    }

    private void onSocketWritable() {
        boolean fire = false;
        TlsError failed;
        synchronized (lock) {
            if (ended) return;
            try {
                records.flush(socket);
            } catch (TlsException e) {
                if (failure == null) failure = e.error();
            }
            failed = failure;
            if (failed == null) {
                if (records.unsent() > 0 || socket.queuedBytes() > 0) {
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
            gate.deliver(TlsEvent.Writable.INSTANCE);
        }
    }

    // ---- the engine (loop thread) ------------------------------------------------------------------------------

    /** Unwraps what {@code src} holds, answers the handshake and delivers events, until it needs more bytes. */
    void drive(ByteBuffer src) {
        while (!ended) {
            TlsEvent ev;
            try {
                synchronized (lock) {
                    ev = step(src);
                }
            } catch (SSLException | RuntimeException e) {
                fail(TlsError.classify(e, !handshakeDone));
                return;
            } catch (TlsException e) {
                fail(e.error());
                return;
            }
            if (ev == null) return;
            if (ev == END) {
                synchronized (lock) {
                    try {
                        records.sendCloseNotify(socket);   // our close_notify in answer
                    } catch (SSLException | TlsException | RuntimeException e) {
                        LOG.log(Level.DEBUG, () -> "no close_notify sent in answer: " + e);
                    }
                }
                finish(new TlsEvent.Data(EMPTY, peer, Optional.empty()));
                return;
            }
            gate.deliver(ev);
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
                records.runDelegatedTasks();
                if (engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
                    // What a task failed with (a refused certificate) shows at the next wrap or unwrap.
                    SSLEngineResult r = records.wrapControl(socket);
                    if (r.bytesProduced() > 0) records.flush(socket);
                    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && !handshakeDone) {
                        return handshakeFinished();
                    }
                }
                continue;
            }
            if (hs == HandshakeStatus.NEED_WRAP) {
                SSLEngineResult r = records.wrapControl(socket);
                records.flush(socket);
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && !handshakeDone) return handshakeFinished();
                if (r.getStatus() == Status.CLOSED && r.bytesProduced() == 0
                        && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    return null;   // outbound closed; nothing more to wrap
                }
                continue;
            }
            if (inbound.held() || !src.hasRemaining()) return null;
            SSLEngineResult r = records.unwrap(src);
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && !handshakeDone) {
                // Unlikely: data before the handshake event.
                if (records.hasPlaintext()) return records.plaintext(peer);
                return handshakeFinished();
            }
            if (r.getStatus() == Status.CLOSED) closeNotified = true;
            if (records.hasPlaintext()) return records.plaintext(peer);
            if (closeNotified) return END;
            if (r.getStatus() == Status.BUFFER_UNDERFLOW) return null;
            if (r.bytesConsumed() == 0 && r.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) return null;
        }
    }

    private TlsEvent handshakeFinished() {
        handshakeDone = true;
        Timer t = handshakeTimer;
        if (t != null) t.invalidate();
        return TlsEvent.Handshake.success(engine.getSession());
    }

    // ---- endings -----------------------------------------------------------------------------------------------

    /** Loop thread: the session failed; sends the engine's alert, delivers the last event, invalidates. */
    void fail(TlsError error) {
        if (ended) return;
        synchronized (lock) {
            if (failure == null) failure = error;
            try {
                records.sendCloseNotify(socket);
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
        gate.deliver(last);
        invalidate();
    }

    /** {@link TlsSocket#invalidate()}: close_notify if nothing is queued ahead of it, then the socket goes. */
    void invalidate() {
        if (!gate.close()) return;
        Socket s = socket;
        synchronized (lock) {
            if (!ended && failure == null && s != null && s.isValid() && records.unsent() == 0
                    && s.queuedBytes() == 0) {
                try {
                    records.sendCloseNotify(s);
                } catch (SSLException | TlsException | RuntimeException e) {
                    LOG.log(Level.DEBUG, () -> "no close_notify sent: " + e);
                }
            } else {
                records.closeOutbound();
            }
            ended = true;
        }
        Timer t = handshakeTimer;
        if (t != null) t.invalidate();
        if (s != null) s.invalidate();
        gate.awaitIdle();
    }

    /** {@link TlsSocket#shutdownOutput()}. */
    void shutdownOutput() throws TlsException {
        synchronized (lock) {
            if (gate.isClosed() || failure != null) return;
            if (!handshakeDone) {
                throw new IllegalStateException("the TLS handshake is not finished; invalidate() to abandon it");
            }
            if (outputShut) return;
            outputShut = true;
            try {
                records.sendCloseNotify(socket);
            } catch (SSLException e) {
                throw new TlsException("shutdownOutput", TlsError.classify(e, false));
            }
        }
    }

    // ---- writing (any thread) ----------------------------------------------------------------------------------

    /** {@link TlsSocket#write}. */
    int write(ByteBuffer src) throws TlsException {
        TlsError err;
        synchronized (lock) {
            if (gate.isClosed()) throw new TlsException("write", TlsError.of(TlsError.Kind.CLOSED,
                    "the TLS socket is invalidated"));
            if (failure != null) throw new TlsException("write", failure);
            if (outputShut) throw new TlsException("write", TlsError.of(TlsError.Kind.CLOSED,
                    "the output is shut down (close_notify sent)"));
            if (!handshakeDone || !src.hasRemaining()) return 0;
            try {
                return records.encrypt(src, socket);
            } catch (SSLException e) {
                err = TlsError.classify(e, false);
            } catch (TlsException e) {
                err = e.error();
            }
            if (failure == null) failure = err;
        }
        gate.execute(() -> fail(err));
        throw new TlsException("write", err);
    }

    /** {@link TlsSocket#queuedBytes()}. */
    long queuedBytes() {
        Socket s = socket;
        synchronized (lock) {
            return records.unsent() + (s == null ? 0 : s.queuedBytes());
        }
    }

    /** WRITE on: fires once everything written is out and the handshake is done. */
    void armWrite() {
        synchronized (lock) {
            writeArmed = true;
        }
        Socket s = socket;
        if (s.isValid()) s.enableCallBacks(CallBackType.WRITE);
    }

    void disarmWrite() {
        synchronized (lock) {
            writeArmed = false;
        }
    }

    // ---- state -------------------------------------------------------------------------------------------------

    InboundFlow inbound() {
        return inbound;
    }

    Socket socket() {
        return socket;
    }

    InetSocketAddress peer() {
        return peer;
    }

    boolean isHandshakeDone() {
        return handshakeDone;
    }

    boolean isEnded() {
        return ended;
    }

    /** {@link TlsSocket#isValid()}. */
    boolean isValid() {
        Socket s = socket;
        return !gate.isClosed() && s != null && (s.isValid() || inbound.endPending());
    }

    /** The negotiated session, once the handshake has finished. */
    Optional<SSLSession> negotiated() {
        return handshakeDone ? Optional.of(engine.getSession()) : Optional.empty();
    }

    /** {@link TlsSocket#applicationProtocol()}. */
    Optional<String> applicationProtocol() {
        String p = handshakeDone ? engine.getApplicationProtocol() : null;
        return p == null || p.isEmpty() ? Optional.empty() : Optional.of(p);
    }
}
