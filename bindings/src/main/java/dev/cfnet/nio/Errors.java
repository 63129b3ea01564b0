package dev.cfnet.nio;

import dev.cfnet.SocketError;
import dev.cfnet.SocketError.Kind;
import dev.cfnet.posix.Errno;
import dev.cfnet.posix.Os;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/** JDK exceptions to portable socket errors: by type where the JDK has one, else by the strerror text. */
final class Errors {
    private Errors() {
    }

    static SocketError of(Throwable e) {
        Kind kind;
        if (e instanceof ClosedChannelException || e instanceof AsynchronousCloseException) {
            kind = Kind.CLOSED;
        } else if (e instanceof PortUnreachableException) {
            kind = Kind.CONNECTION_REFUSED;
        } else if (e instanceof SocketTimeoutException) {
            kind = Kind.TIMED_OUT;
        } else {
            kind = Errno.kindOfMessage(e.getMessage());
            if (kind == null) {
                if (e instanceof NoRouteToHostException) kind = Kind.HOST_UNREACHABLE;
                else if (e instanceof BindException) kind = Kind.ADDRESS_IN_USE;
                else kind = Kind.OTHER;
            }
        }
        String message = e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : Errno.text(kind);
        if (kind == Kind.CLOSED) message = Errno.text(kind);
        return new SocketError(kind, Errno.code(Os.current(), kind), message);
    }
}
