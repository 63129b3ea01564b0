package dev.cfnet;

import dev.cfnet.posix.Errno;
import dev.cfnet.posix.Os;
import java.util.Objects;

/**
 * A socket failure: a portable {@link Kind} plus the platform's own code (an {@code errno} value, 0 when there is
 * none) and a message for people.
 *
 * <p>The same failure has different codes per OS ({@code ECONNREFUSED} is 111 on Linux and 61 on macOS): compare
 * kinds, log codes.
 *
 * @param kind    what went wrong, portably
 * @param code    the OS's {@code errno} value, 0 when there is none
 * @param message a message for people
 */
public record SocketError(Kind kind, int code, String message) {

    /** What went wrong, portably. */
    public enum Kind {
        /** Nobody listens at the address (ECONNREFUSED; for UDP, an ICMP port unreachable). */
        CONNECTION_REFUSED,
        /** The peer reset the connection (ECONNRESET). */
        CONNECTION_RESET,
        /** The connection was aborted locally (ECONNABORTED). */
        CONNECTION_ABORTED,
        /** No answer in time (ETIMEDOUT, or a cfnet timeout). */
        TIMED_OUT,
        /** No route to the host (EHOSTUNREACH, EHOSTDOWN). */
        HOST_UNREACHABLE,
        /** No route to the network (ENETUNREACH, ENETDOWN). */
        NETWORK_UNREACHABLE,
        /** The local address is taken (EADDRINUSE). */
        ADDRESS_IN_USE,
        /** The local address is not one of this host's (EADDRNOTAVAIL). */
        ADDRESS_NOT_AVAILABLE,
        /** The address family does not fit the socket (EAFNOSUPPORT). */
        ADDRESS_FAMILY_NOT_SUPPORTED,
        /** Writing to a connection the peer has closed (EPIPE). */
        BROKEN_PIPE,
        /** The socket is not connected (ENOTCONN). */
        NOT_CONNECTED,
        /** The socket is connected already (EISCONN). */
        ALREADY_CONNECTED,
        /** The OS refused (EACCES, EPERM), e.g. a privileged port or a firewall rule. */
        ACCESS_DENIED,
        /** A datagram too large to send (EMSGSIZE). */
        MESSAGE_TOO_LARGE,
        /** The socket buffer is full and the call may not wait (EAGAIN / EWOULDBLOCK). */
        WOULD_BLOCK,
        /** The OS rejected an argument (EINVAL). */
        INVALID_ARGUMENT,
        /** The socket was invalidated (closed) by cfnet. */
        CLOSED,
        /** Anything else; {@link #code()} and {@link #message()} tell more. */
        OTHER
    }

    /**
     * An error from its fields.
     *
     * @param kind    what went wrong
     * @param code    the OS's {@code errno} value, or 0
     * @param message a message for people
     */
    public SocketError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The error of a kind on this OS, with the OS's errno for it and the standard text.
     *
     * @param kind what went wrong
     * @return the error, with this OS's code for it (0 when it has none)
     */
    public static SocketError of(Kind kind) {
        return new SocketError(kind, Errno.code(Os.current(), kind), Errno.text(kind));
    }

    /**
     * The error for an {@code errno} value of this OS.
     *
     * @param errno the OS's error number
     * @return the error, of kind {@link Kind#OTHER} for a number cfnet does not map
     */
    public static SocketError fromErrno(int errno) {
        Kind kind = Errno.kind(Os.current(), errno);
        String text = kind == Kind.OTHER ? "error " + errno : Errno.text(kind);
        return new SocketError(kind, errno, text);
    }

    @Override
    public String toString() {
        return code == 0 ? message + " (" + kind + ")" : message + " (" + kind + ", errno " + code + ")";
    }
}
