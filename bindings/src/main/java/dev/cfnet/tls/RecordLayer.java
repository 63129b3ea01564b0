package dev.cfnet.tls;

import dev.cfnet.CallBackType;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * A TLS socket's {@link SSLEngine} with its buffers: it wraps plaintext, handshake messages and alerts into records
 * and hands them to the socket, and unwraps received records into plaintext. The buffers last as long as the
 * session (growing when the engine asks for more), so a record in either direction allocates nothing.
 *
 * <p>Not thread-safe: {@link TlsSession} calls it under its lock ({@link #packetSize} is also read without it, as a
 * size hint). It keeps no state of the session; what the engine's results mean is the session's business.
 */
final class RecordLayer {
    private static final ByteBuffer NO_PLAINTEXT = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** Records encrypted into one buffer before it goes to the socket: fewer, larger writes for bulk data. */
    private static final int RECORDS_PER_FLUSH = 4;

    private final SSLEngine engine;
    private int packetSize;
    private int appSize;
    private ByteBuffer netOut;                  // heap, fill mode: records wrapped and not moved to wire yet
    private ByteBuffer wire;                    // direct, read mode: ciphertext the socket has not taken
    private ByteBuffer appIn;                   // fill mode: plaintext unwrapped and not delivered yet
    private ByteBuffer appView;                 // read-only view of appIn: the bytes of dataEvent
    private TlsEvent.Data dataEvent;            // reused for every delivery while appIn stays the same buffer

    RecordLayer(SSLEngine engine) {
        this.engine = engine;
        SSLSession s = engine.getSession();
        this.packetSize = s.getPacketBufferSize();
        this.appSize = s.getApplicationBufferSize();
        // The engine works on heap buffers (the JDK's ciphers take arrays without a copy or an allocation); the
        // socket gets a direct one, which both backends hand to the OS at once, from any thread.
        this.netOut = ByteBuffer.allocate(RECORDS_PER_FLUSH * packetSize);
        this.wire = ByteBuffer.allocateDirect(RECORDS_PER_FLUSH * packetSize).flip();
        this.appIn = ByteBuffer.allocate(2 * appSize);
    }

    SSLEngine engine() {
        return engine;
    }

    /** The largest record seen so far: the room a read of the socket needs. */
    int packetSize() {
        return packetSize;
    }

    // ---- outbound ----------------------------------------------------------------------------------------------

    /**
     * Encrypts as much of {@code src} as {@code socket}'s write queue has room for and hands the records to the
     * socket; advances {@code src} past what it took and returns the count. A key update the engine starts meanwhile
     * is answered as part of the write.
     *
     * @throws TlsException {@link TlsError.Kind#CLOSED} when the engine is closed, or a failed socket write
     */
    int encrypt(ByteBuffer src, Socket socket) throws SSLException, TlsException {
        long room = (long) socket.writeQueueLimit() - socket.queuedBytes() - unsent();
        if (room <= 0) return 0;
        int start = src.position();
        int limit = src.limit();
        src.limit((int) Math.min(limit, start + room));
        try {
            while (src.hasRemaining()) {
                if (netOut.remaining() < packetSize) {
                    flush(socket);
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
                if (engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) runDelegatedTasks();
                if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) wrapControl(socket);
            }
            flush(socket);
            return src.position() - start;
        } finally {
            src.limit(limit);
        }
    }

    /**
     * Wraps what the engine sends of its own accord (handshake messages, alerts, close_notify) into the outbound
     * buffer, handing full buffers to {@code socket}. The last records may stay in the buffer: {@link #flush} them.
     */
    SSLEngineResult wrapControl(Socket socket) throws SSLException, TlsException {
        for (;;) {
            if (netOut.remaining() < packetSize) flush(socket);
            SSLEngineResult r = engine.wrap(NO_PLAINTEXT, netOut);
            if (r.getStatus() != Status.BUFFER_OVERFLOW) return r;
            packetSize = Math.max(packetSize, engine.getSession().getPacketBufferSize());
            flush(socket);
            if (netOut.capacity() < packetSize) netOut = ByteBuffer.allocate(RECORDS_PER_FLUSH * packetSize);
        }
    }

    /** Closes the engine's outbound side and sends what it has left: close_notify, or the alert of a failure. */
    void sendCloseNotify(Socket socket) throws SSLException, TlsException {
        engine.closeOutbound();
        for (int i = 0; i < 8 && !engine.isOutboundDone(); i++) {
            SSLEngineResult r = wrapControl(socket);
            if (r.bytesProduced() == 0) break;
        }
        flush(socket);
    }

    /** Closes the engine's outbound side without sending anything. */
    void closeOutbound() {
        engine.closeOutbound();
    }

    /** Ciphertext not handed to the socket yet. */
    int unsent() {
        return netOut.position() + wire.remaining();
    }

    /**
     * Moves the wrapped records to the wire buffer and hands it to {@code socket}; WRITE brings the rest once the
     * socket drained. Handshake and alert bytes are never dropped: the wire buffer grows if it must.
     */
    void flush(Socket socket) throws TlsException {
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

    // ---- inbound -----------------------------------------------------------------------------------------------

    /**
     * Unwraps records of {@code src} into the plaintext buffer, several while plain application data keeps coming
     * and fits, and leaves {@code src} after what the engine consumed. The plaintext, if any, is for
     * {@link #plaintext} before the next unwrap.
     *
     * @return the result of the last unwrap
     */
    SSLEngineResult unwrap(ByteBuffer src) throws SSLException {
        if (appIn.position() > 0) appIn.clear();
        SSLEngineResult r;
        for (;;) {
            r = engine.unwrap(src, appIn);
            Status st = r.getStatus();
            if (st == Status.BUFFER_OVERFLOW) {
                if (appIn.position() > 0) break;
                appSize = Math.max(appSize, engine.getSession().getApplicationBufferSize());
                appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2, appSize));
                dataEvent = null;
                continue;
            }
            if (st != Status.OK || r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
                    || !src.hasRemaining() || appIn.remaining() < appSize
                    || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                break;
            }
        }
        if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
            packetSize = Math.max(packetSize, engine.getSession().getPacketBufferSize());
        }
        return r;
    }

    boolean hasPlaintext() {
        return appIn.position() > 0;
    }

    /**
     * The plaintext unwrapped, as an event valid until the next {@link #unwrap}: the same event object every time,
     * its bytes a view of the plaintext buffer.
     */
    TlsEvent.Data plaintext(InetSocketAddress peer) {
        if (dataEvent == null) {
            appView = appIn.asReadOnlyBuffer();
            dataEvent = new TlsEvent.Data(appView, peer, Optional.empty());
        }
        appView.limit(appIn.position()).position(0);
        appIn.clear();
        return dataEvent;
    }

    /** Runs the engine's delegated tasks (certificate checks) on this thread. */
    void runDelegatedTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
