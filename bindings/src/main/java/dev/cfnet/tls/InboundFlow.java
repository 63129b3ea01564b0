package dev.cfnet.tls;

import dev.cfnet.CallBackType;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

/**
 * The incoming side of a TLS socket, on the loop thread: ciphertext from the socket's DATA events (or received on
 * READ) kept until {@link TlsSession} has unwrapped it, and the push-back while the user has DATA disabled: once
 * the handshake is done the socket's read callback goes off, and what arrived, the end of the connection included,
 * waits until DATA is on again.
 */
final class InboundFlow {
    private final TlsSession session;
    private final RecordLayer records;
    private final CallbackGate gate;

    private volatile CallBackType readType = CallBackType.DATA;   // the socket's read callback, DATA or READ
    private volatile boolean dataEnabled = true;
    private volatile Optional<SocketError> pendingEnd;   // the socket ended while plaintext waited for DATA

    // Loop thread only.
    private ByteBuffer netIn;                   // fill mode: ciphertext not unwrapped yet
    private boolean socketReading = true;       // what the socket's read callback was last set to

    InboundFlow(TlsSession session, RecordLayer records, CallbackGate gate) {
        this.session = session;
        this.records = records;
        this.gate = gate;
        this.netIn = ByteBuffer.allocate(records.packetSize() + 64 * 1024);
    }

    /** The socket's read callback, which {@link #pauseReading} and {@link #resumeReading} turn off and on. */
    CallBackType readType() {
        return readType;
    }

    void readWith(CallBackType type) {
        readType = type;
    }

    /** Ciphertext received before the TLS socket took the socket over (STARTTLS). */
    void append(ByteBuffer ciphertext) {
        netIn = ensureRoom(netIn, ciphertext.remaining());
        netIn.put(ciphertext);
    }

    /**
     * A DATA event: its bytes are copied into netIn (a heap buffer: the engine decrypts arrays fastest, and the
     * event's buffer is read-only and lives only during the callback) and worked through from there.
     */
    void onCiphertext(ByteBuffer bytes) {
        append(bytes);
        unwrapReceived();
    }

    void onReadable(Socket s) {
        unwrapReceived();
        if (session.isEnded() || held()) return;
        netIn = ensureRoom(netIn, records.packetSize());
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
            unwrapReceived();
        }
    }

    /** Has the session work through the ciphertext kept, then stops reading the socket if DATA is disabled. */
    void unwrapReceived() {
        if (netIn.position() == 0 && session.isHandshakeDone()) return;
        netIn.flip();
        try {
            session.drive(netIn);
        } finally {
            netIn.compact();
        }
        if (!session.isEnded() && held()) pauseReading();
    }

    /** End of stream, or a read error, on the socket (which the backend invalidates after this callback). */
    void onEnd(Optional<SocketError> error) {
        unwrapReceived();
        if (session.isEnded()) return;
        if (held() && netIn.position() > 0) {
            pendingEnd = error;   // told once the plaintext before it is delivered
            return;
        }
        if (error.isPresent()) {
            session.fail(TlsError.network(error.get()));
        } else {
            session.fail(TlsError.of(TlsError.Kind.TRUNCATED, session.isHandshakeDone()
                    ? "the peer closed the connection without close_notify" + (netIn.position() > 0
                    ? " in the middle of a record" : "")
                    : "the peer closed the connection during the TLS handshake"));
        }
    }

    /** The socket has ended, and the end waits to be told after plaintext the user has not taken yet. */
    boolean endPending() {
        return pendingEnd != null;
    }

    /** True while plaintext must not be delivered: DATA is disabled (the handshake goes on regardless). */
    boolean held() {
        return session.isHandshakeDone() && !dataEnabled;
    }

    /** Any thread: DATA on again; what was kept is delivered on the loop. */
    void enableData() {
        if (dataEnabled) return;
        dataEnabled = true;
        try {
            gate.execute(this::resume);
        } catch (RejectedExecutionException closed) {
            // The loop is closed: nothing will be read again.
        }
    }

    void disableData() {
        dataEnabled = false;
    }

    /** Loop thread: DATA is on again; deliver what was kept, then read the socket again. */
    private void resume() {
        unwrapReceived();
        if (session.isEnded() || held()) return;
        Optional<SocketError> end = pendingEnd;
        if (end != null) {
            pendingEnd = null;
            onEnd(end);
        } else {
            resumeReading();
        }
    }

    private void pauseReading() {
        Socket socket = session.socket();
        if (socketReading && socket.isValid()) {
            socketReading = false;
            socket.disableCallBacks(readType);
        }
    }

    private void resumeReading() {
        Socket socket = session.socket();
        if (!socketReading && socket.isValid()) {
            socketReading = true;
            socket.enableCallBacks(readType);
        }
    }

    private static ByteBuffer ensureRoom(ByteBuffer buf, int more) {
        if (buf.remaining() >= more) return buf;
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more));
        buf.flip();
        bigger.put(buf);
        return bigger;
    }
}
