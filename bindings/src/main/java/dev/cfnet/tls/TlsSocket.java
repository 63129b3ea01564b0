package dev.cfnet.tls;

import dev.cfnet.CallBackType;
import dev.cfnet.RunLoop;
import dev.cfnet.RunLoopSource;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketType;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
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
    // The session does the work: TlsSession (handshake and endings), InboundFlow (reading, push-back),
    // RecordLayer (the engine and its buffers), CallbackGate (the way to the handler). This class is the API.
    private final RunLoop loop;
    private final TlsConfig config;
    private final TlsSession session;

    private TlsSocket(RunLoop loop, TlsConfig config, TlsHandler handler, int peerPort) {
        this.loop = loop;
        this.config = config;
        this.session = new TlsSession(loop, config, new CallbackGate(this, loop, handler), peerPort);
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
                EnumSet.of(CallBackType.CONNECT, CallBackType.DATA, CallBackType.WRITE), t.session::onSocketEvent);
        try {
            t.session.attach(s, remote, false);
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
        Socket s = Socket.wrap(loop, handle, EnumSet.of(CallBackType.DATA, CallBackType.WRITE),
                t.session::onSocketEvent);
        try {
            t.session.attach(s, null, true);
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
        if (alreadyReceived != null && alreadyReceived.hasRemaining()) {
            t.session.inbound().append(alreadyReceived);
        }
        t.session.attach(socket, p, true);
        return t;
    }

    /** The events of an upgraded socket, from {@link StartTls}. */
    void onStartTlsEvent(Socket s, SocketEvent event) {
        session.onSocketEvent(s, event);
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
        return session.write(src);
    }

    /**
     * Plaintext taken by {@link #write} whose ciphertext the OS has not taken yet, counted as ciphertext bytes.
     *
     * @return queued bytes
     */
    public long queuedBytes() {
        return session.queuedBytes();
    }

    /**
     * The most bytes the write queue holds (the socket's limit).
     *
     * @return the limit
     */
    public int writeQueueLimit() {
        return session.socket().writeQueueLimit();
    }

    /**
     * Sets the most bytes the write queue holds (the socket's limit); at least 1.
     *
     * @param bytes the new limit
     */
    public void setWriteQueueLimit(int bytes) {
        session.socket().setWriteQueueLimit(bytes);
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
        if (types.contains(CallBackType.WRITE)) session.armWrite();
        if (types.contains(CallBackType.DATA)) session.inbound().enableData();
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
        if (types.contains(CallBackType.WRITE)) session.disarmWrite();
        if (types.contains(CallBackType.DATA)) session.inbound().disableData();
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
        session.shutdownOutput();
    }

    /**
     * The negotiated session.
     *
     * @return the session once the handshake has finished, else empty
     */
    public Optional<SSLSession> session() {
        return session.negotiated();
    }

    /**
     * The application protocol agreed by ALPN.
     *
     * @return the protocol, or empty when none was negotiated (or before the handshake has finished)
     */
    public Optional<String> applicationProtocol() {
        return session.applicationProtocol();
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
        return session.socket();
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
        return session.isValid();
    }

    /**
     * Ends the session now: sends close_notify when nothing is queued ahead of it (queued bytes are dropped, as by
     * {@link Socket#invalidate()}), and invalidates the socket, which closes it. Idempotent; any thread; once it
     * returns no callback of this TLS socket starts (one under way on the loop thread is waited for, unless this is
     * that callback).
     */
    @Override
    public void invalidate() {
        session.invalidate();
    }

    @Override
    public String toString() {
        return "TlsSocket[" + config.role().name().toLowerCase(Locale.ROOT) + ", peer " + session.peer()
                + session.negotiated().map(s -> ", " + s.getProtocol()).orElse(", handshaking")
                + (isValid() ? "" : ", invalid") + "]";
    }
}
