package dev.cfnet;

import java.io.IOException;
import java.util.Objects;

/**
 * A socket operation failed. {@link #error()} says how; {@link #bytesTransferred()} says how many bytes went out
 * before it failed (a send is all or an error, never silently partial).
 */
public final class SocketErrorException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient SocketError error;
    private final long bytesTransferred;

    public SocketErrorException(String operation, SocketError error) {
        this(operation, error, 0, null);
    }

    public SocketErrorException(String operation, SocketError error, long bytesTransferred, Throwable cause) {
        super(operation + ": " + Objects.requireNonNull(error, "error")
                + (bytesTransferred > 0 ? " after " + bytesTransferred + " bytes" : ""), cause);
        this.error = error;
        this.bytesTransferred = bytesTransferred;
    }

    /** What went wrong. */
    public SocketError error() {
        return error;
    }

    /** Shortcut for {@code error().kind()}. */
    public SocketError.Kind kind() {
        return error.kind();
    }

    /** Bytes sent before the failure. */
    public long bytesTransferred() {
        return bytesTransferred;
    }
}
