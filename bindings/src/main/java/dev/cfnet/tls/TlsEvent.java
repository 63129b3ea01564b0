package dev.cfnet.tls;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * What a {@link TlsSocket} reports, shaped as {@link dev.cfnet.SocketEvent} so that a handler switches the same
 * way: {@link Handshake} for {@code Connected}, {@link Data} for {@code Data}, {@link Writable} for
 * {@code Writable}.
 *
 * <pre>{@code
 * (tls, event) -> {
 *     switch (event) {
 *         case TlsEvent.Handshake h when h.failed() -> log(h.error().get());   // the TLS socket is invalid now
 *         case TlsEvent.Handshake h -> tls.write(request);
 *         case TlsEvent.Data d when d.isEmpty() -> done(d.error());            // close_notify, or a TlsError
 *         case TlsEvent.Data d -> consume(d.bytes());                          // plaintext, valid during the call
 *         case TlsEvent.Writable w -> writeMore(tls);
 *     }
 * }
 * }</pre>
 *
 * <p>Every TLS socket ends with exactly one of a failed {@link Handshake} or an empty {@link Data} (a clean
 * close_notify or a {@link TlsError}), unless the program invalidated it first; the TLS socket is invalidated when
 * that callback returns.
 */
public sealed interface TlsEvent {

    /**
     * The first handshake finished. Fires once per TLS socket; a failure is the socket's last event.
     *
     * @param session the negotiated session, when the handshake succeeded
     * @param error   why it failed, when it failed
     */
    record Handshake(Optional<SSLSession> session, Optional<TlsError> error) implements TlsEvent {
        /**
         * Checks that exactly one of the two is present.
         *
         * @param session the negotiated session, when the handshake succeeded
         * @param error   why it failed, when it failed
         */
        public Handshake {
            Objects.requireNonNull(session, "session");
            Objects.requireNonNull(error, "error");
            if (session.isPresent() == error.isPresent()) {
                throw new IllegalArgumentException("a handshake has either a session or an error");
            }
        }

        /**
         * A successful handshake.
         *
         * @param session the negotiated session
         * @return the event
         */
        public static Handshake success(SSLSession session) {
            return new Handshake(Optional.of(session), Optional.empty());
        }

        /**
         * A failed handshake.
         *
         * @param error why it failed
         * @return the event
         */
        public static Handshake failure(TlsError error) {
            return new Handshake(Optional.empty(), Optional.of(error));
        }

        /**
         * True when the session is up.
         *
         * @return true on success
         */
        public boolean succeeded() {
            return session.isPresent();
        }

        /**
         * True when the handshake failed; {@link #error()} says why.
         *
         * @return true on failure
         */
        public boolean failed() {
            return error.isPresent();
        }

        /**
         * The negotiated protocol.
         *
         * @return e.g. {@code "TLSv1.3"}; empty text after a failure
         */
        public String protocol() {
            return session.map(SSLSession::getProtocol).orElse("");
        }
    }

    /**
     * Plaintext from the peer, or the end. Empty bytes are the end, as with {@link dev.cfnet.SocketEvent.Data}:
     * the peer's close_notify when {@code error()} is empty, else the {@link TlsError} that ended the session (for
     * instance {@link TlsError.Kind#TRUNCATED} when the connection closed without close_notify). The TLS socket is
     * invalidated when the callback of an empty event returns.
     *
     * @param bytes   read-only, positioned at the first byte; valid only during the callback (the buffer is reused)
     * @param address the peer
     * @param error   what ended the session, for an empty event
     */
    record Data(ByteBuffer bytes, InetSocketAddress address, Optional<TlsError> error) implements TlsEvent {
        /**
         * Checks the components.
         *
         * @param bytes   the plaintext
         * @param address the peer
         * @param error   what ended the session, if anything
         */
        public Data {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(error, "error");
        }

        /**
         * True for the end of the session.
         *
         * @return true when there are no bytes
         */
        public boolean isEmpty() {
            return bytes.limit() == 0;
        }

        /**
         * A copy of the bytes, independent of the callback.
         *
         * @return the bytes from the buffer's start to its limit
         */
        public byte[] toByteArray() {
            ByteBuffer b = bytes.duplicate().position(0);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }

        @Override
        public String toString() {
            return "Data[" + bytes.limit() + " bytes from " + address + error.map(e -> ", " + e).orElse("") + "]";
        }
    }

    /** Everything written so far is handed to the OS, and the TLS socket takes more. */
    record Writable() implements TlsEvent {
        /** The one instance. */
        public static final Writable INSTANCE = new Writable();
    }
}
