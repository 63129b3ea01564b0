package dev.cfnet;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * What a socket callback reports. One type per {@link CallBackType}; switch over them:
 *
 * <pre>{@code
 * (socket, event) -> {
 *     switch (event) {
 *         case SocketEvent.Connected c when c.failed() -> socket.invalidate();
 *         case SocketEvent.Connected c -> socket.enableCallBacks(CallBackType.WRITE);
 *         case SocketEvent.Data d -> consume(d.bytes());          // empty: end of stream
 *         case SocketEvent.Writable w -> socket.write(nextChunk());
 *         case SocketEvent.Readable r -> socket.receive(buffer);
 *         case SocketEvent.Accepted a -> Socket.wrap(loop, a.handle(), types, handler);
 *     }
 * }
 * }</pre>
 *
 * <p>Events are only valid during the callback that receives them: the bytes of a {@link Data} event live in a
 * buffer the run loop reuses, and an {@link Accepted} connection that the callback neither wraps nor keeps is
 * closed when it returns.
 */
public sealed interface SocketEvent {

    /**
     * The callback type that reports this event.
     *
     * @return CONNECT, READ, DATA, WRITE or ACCEPT
     */
    CallBackType type();

    /**
     * A connection attempt finished. Fires at most once per socket, and no WRITE follows a failed attempt.
     *
     * <p>A failed asynchronous connect does not invalidate the socket by itself: a socket with DATA gets an empty
     * {@link Data} event carrying the error next and is invalidated after it; any other socket stays valid
     * ({@link Socket#isValid()} is true) until you invalidate it. See {@link Socket#connect}.
     *
     * @param error empty on success; on failure what went wrong (e.g. {@link SocketError.Kind#CONNECTION_REFUSED})
     */
    record Connected(Optional<SocketError> error) implements SocketEvent {
        /** The event of a successful connect. */
        public static final Connected SUCCESS = new Connected(Optional.empty());

        /**
         * An event from its fields.
         *
         * @param error empty on success, else why the connect failed
         */
        public Connected {
            Objects.requireNonNull(error, "error");
        }

        /**
         * The event of a failed connect.
         *
         * @param error why it failed
         * @return a {@code Connected} event whose {@link #error()} is {@code error}
         */
        public static Connected failure(SocketError error) {
            return new Connected(Optional.of(error));
        }

        /**
         * True when the connection is up.
         *
         * @return whether the connect succeeded
         */
        public boolean succeeded() {
            return error.isEmpty();
        }

        /**
         * True when the attempt failed; {@link #error()} says why.
         *
         * @return whether the connect failed
         */
        public boolean failed() {
            return error.isPresent();
        }

        @Override
        public CallBackType type() {
            return CallBackType.CONNECT;
        }
    }

    /** Bytes (or a pending connection's EOF) wait to be read with {@link Socket#receive}. */
    record Readable() implements SocketEvent {
        /** The one instance. */
        public static final Readable INSTANCE = new Readable();

        @Override
        public CallBackType type() {
            return CallBackType.READ;
        }
    }

    /**
     * Bytes the library read for you, with the address they came from: at most 32 KiB per event on a stream socket,
     * one datagram (at most 64 KiB) on a datagram socket.
     *
     * <p><b>The bytes are only valid during the callback.</b> {@link #bytes()} is a view of a buffer the run loop
     * reuses for the next event: a reference kept after the callback returns silently shows later bytes. Copy what
     * you keep ({@link #toByteArray()}, or {@code put} it into a buffer of your own) before returning.
     *
     * <p>Empty bytes are CF's "end" signal. On a stream socket they mean end of stream ({@code error()} empty) or
     * a read error ({@code error()} says which), and the socket is invalidated when the callback returns. On a
     * datagram socket they are a zero-length datagram or a reported error (e.g. ICMP port unreachable on a
     * connected socket); the socket stays valid.
     *
     * @param bytes   read-only, positioned at the first byte; valid only during the callback (the loop reuses the
     *                buffer behind it)
     * @param address the peer (stream) or the datagram's source
     * @param error   the read error behind an empty event, if any
     */
    record Data(ByteBuffer bytes, InetSocketAddress address, Optional<SocketError> error) implements SocketEvent {
        /**
         * An event from its fields.
         *
         * @param bytes   the bytes read
         * @param address where they came from
         * @param error   the read error behind an empty event, if any
         */
        public Data {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(error, "error");
        }

        /**
         * True for CF's empty data: end of stream or a read error on a stream socket.
         *
         * @return whether the event carries no bytes
         */
        public boolean isEmpty() {
            return bytes.limit() == 0;
        }

        /**
         * A copy of the bytes, independent of the callback: the way to keep them.
         *
         * @return a new array with every byte of the event
         */
        public byte[] toByteArray() {
            ByteBuffer b = bytes.duplicate().position(0);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }

        @Override
        public CallBackType type() {
            return CallBackType.DATA;
        }

        @Override
        public String toString() {
            return "Data[" + bytes.limit() + " bytes from " + address + error.map(e -> ", " + e).orElse("") + "]";
        }
    }

    /** The socket can take more bytes now (and its write queue is empty). */
    record Writable() implements SocketEvent {
        /** The one instance. */
        public static final Writable INSTANCE = new Writable();

        @Override
        public CallBackType type() {
            return CallBackType.WRITE;
        }
    }

    /**
     * A listening socket accepted a connection. Wrap it with {@link Socket#wrap} during the callback (on any loop),
     * or it is closed when the callback returns.
     *
     * @param handle the accepted connection's native socket
     * @param peer   the address it came from
     */
    record Accepted(SocketHandle handle, InetSocketAddress peer) implements SocketEvent {
        /**
         * An event from its fields.
         *
         * @param handle the accepted connection's native socket
         * @param peer   the address it came from
         */
        public Accepted {
            Objects.requireNonNull(handle, "handle");
        }

        @Override
        public CallBackType type() {
            return CallBackType.ACCEPT;
        }
    }
}
