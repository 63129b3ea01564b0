package dev.cfnet;

import java.util.OptionalInt;

/**
 * A native socket that no {@link Socket} drives (yet): a connection handed over by an {@link SocketEvent.Accepted}
 * event, or the native socket of a socket invalidated without {@link SocketFlag#CLOSE_ON_INVALIDATE}. Adopt it with
 * {@link Socket#wrap}, or close it. Only the backend that made a handle can wrap it.
 */
public interface SocketHandle extends AutoCloseable {

    /**
     * The backend whose sockets can adopt this handle.
     *
     * @return the backend that made it
     */
    Backend backend();

    /**
     * The address family.
     *
     * @return {@link java.net.StandardProtocolFamily#INET} or {@link java.net.StandardProtocolFamily#INET6}
     */
    java.net.ProtocolFamily family();

    /**
     * The socket type.
     *
     * @return STREAM or DATAGRAM
     */
    SocketType type();

    /**
     * False once closed or adopted by a socket.
     *
     * @return whether {@link Socket#wrap} can still adopt it
     */
    boolean isOpen();

    /**
     * The file descriptor, where the backend has one to show (the CF backend does; NIO does not).
     *
     * @return the descriptor, or empty
     */
    OptionalInt fileDescriptor();

    /** Closes the native socket unless a socket has adopted it. Idempotent. */
    @Override
    void close();
}
