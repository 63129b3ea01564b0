package dev.cfnet;

import java.io.IOException;
import java.util.Objects;

/**
 * A connect by name failed; {@link #failure()} tells why, with each address tried and its own error.
 */
public final class ConnectFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient ConnectResult.Failed failure;

    /**
     * An exception for a failure; its message is {@link ConnectResult.Failed#message()}.
     *
     * @param failure what failed
     */
    public ConnectFailedException(ConnectResult.Failed failure) {
        super(Objects.requireNonNull(failure, "failure").message());
        this.failure = failure;
    }

    /**
     * What failed: the reason, the addresses and every attempt with its error.
     *
     * @return the failure
     */
    public ConnectResult.Failed failure() {
        return failure;
    }
}
