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

    /** The callback type that reports this event. */
    CallBackType type();

    /** A connection attempt finished. Fires at most once per socket. */
    record Connected(Optional<SocketError> error) implements SocketEvent {
        /** The event of a successful connect. */
        public static final Connected SUCCESS = new Connected(Optional.empty());

        public Connected {
            Objects.requireNonNull(error, "error");
        }

        /** A failed connect. */
        public static Connected failure(SocketError error) {
            return new Connected(Optional.of(error));
        }

        /** True when the connection is up. */
        public boolean succeeded() {
            return error.isEmpty();
        }

        /** True when the attempt failed; {@link #error()} says why. */
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
     * <p>Empty bytes are CF's "end" signal. On a stream socket they mean end of stream ({@code error()} empty) or
     * a read error ({@code error()} says which), and the socket is invalidated when the callback returns. On a
     * datagram socket they are a zero-length datagram or a reported error (e.g. ICMP port unreachable on a
     * connected socket); the socket stays valid.
     *
     * @param bytes   read-only, positioned at the first byte; valid only during the callback
     * @param address the peer (stream) or the datagram's source
     * @param error   the read error behind an empty event, if any
     */
    record Data(ByteBuffer bytes, InetSocketAddress address, Optional<SocketError> error) implements SocketEvent {
        public Data {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(error, "error");
        }

        /** True for CF's empty data: end of stream or a read error on a stream socket. */
        public boolean isEmpty() {
            return bytes.limit() == 0;
        }

        /** A copy of the bytes, independent of the callback. */
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
     */
    record Accepted(SocketHandle handle, InetSocketAddress peer) implements SocketEvent {
        public Accepted {
            Objects.requireNonNull(handle, "handle");
        }

        @Override
        public CallBackType type() {
            return CallBackType.ACCEPT;
        }
    }
}
