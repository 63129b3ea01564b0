package dev.cfnet;

import java.util.OptionalInt;

/**
 * A native socket that no {@link Socket} drives (yet): a connection handed over by an {@link SocketEvent.Accepted}
 * event, or the native socket of a socket invalidated without {@link SocketFlag#CLOSE_ON_INVALIDATE}. Adopt it with
 * {@link Socket#wrap}, or close it. Only the backend that made a handle can wrap it.
 */
public interface SocketHandle extends AutoCloseable {

    /** The backend whose sockets can adopt this handle. */
    Backend backend();

    /** INET or INET6. */
    java.net.ProtocolFamily family();

    /** STREAM or DATAGRAM. */
    SocketType type();

    /** False once closed or adopted by a socket. */
    boolean isOpen();

    /** The file descriptor, where the backend has one to show (the CF backend does; NIO does not). */
    OptionalInt fileDescriptor();

    /** Closes the native socket unless a socket has adopted it. Idempotent. */
    @Override
    void close();
}
