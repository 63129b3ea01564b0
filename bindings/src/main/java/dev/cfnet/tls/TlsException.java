package dev.cfnet.tls;

import java.io.IOException;
import java.util.Objects;

/** A TLS socket operation failed; {@link #error()} says how. */
public final class TlsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient TlsError error;

    /**
     * Makes the exception.
     *
     * @param operation what was being done, e.g. "write"
     * @param error     what went wrong
     */
    public TlsException(String operation, TlsError error) {
        super(operation + ": " + Objects.requireNonNull(error, "error"));
        this.error = error;
    }

    /**
     * What went wrong.
     *
     * @return the error
     */
    public TlsError error() {
        return error;
    }

    /**
     * Shortcut for {@code error().kind()}.
     *
     * @return the error's kind
     */
    public TlsError.Kind kind() {
        return error.kind();
    }
}
