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
    /** Bytes that went out before the failure. */
    private final long bytesTransferred;

    /**
     * An exception for an operation that failed before any byte went out.
     *
     * @param operation what failed, for the message (e.g. {@code "send"})
     * @param error     how it failed
     */
    public SocketErrorException(String operation, SocketError error) {
        this(operation, error, 0, null);
    }

    /**
     * An exception for an operation that failed, possibly after some bytes went out.
     *
     * @param operation        what failed, for the message
     * @param error            how it failed
     * @param bytesTransferred bytes that went out before the failure
     * @param cause            the underlying exception, or null
     */
    public SocketErrorException(String operation, SocketError error, long bytesTransferred, Throwable cause) {
        super(operation + ": " + Objects.requireNonNull(error, "error")
                + (bytesTransferred > 0 ? " after " + bytesTransferred + " bytes" : ""), cause);
        this.error = error;
        this.bytesTransferred = bytesTransferred;
    }

    /**
     * What went wrong.
     *
     * @return the error, with its portable kind and the OS's code
     */
    public SocketError error() {
        return error;
    }

    /**
     * Shortcut for {@code error().kind()}.
     *
     * @return the portable kind of the error
     */
    public SocketError.Kind kind() {
        return error.kind();
    }

    /**
     * Bytes sent before the failure.
     *
     * @return how many bytes went out; 0 when none did
     */
    public long bytesTransferred() {
        return bytesTransferred;
    }
}
