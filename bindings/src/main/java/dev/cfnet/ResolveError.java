package dev.cfnet;

import java.util.Objects;

/**
 * Why a name did not resolve. {@code code} is the resolver's own code where it gives one (getaddrinfo's EAI_*
 * value or CFStreamError's error), else 0.
 *
 * @param kind    what went wrong, portably
 * @param code    the resolver's own code, or 0
 * @param message the resolver's words, without the name (the result that carries this error names it)
 */
public record ResolveError(Kind kind, int code, String message) {

    /** What went wrong, portably. */
    public enum Kind {
        /** The name does not exist, or has no address (EAI_NONAME, NXDOMAIN). */
        NOT_FOUND,
        /** The resolver could not answer now; retrying may help (EAI_AGAIN, no DNS server reachable). */
        TEMPORARY_FAILURE,
        /** Anything else. */
        OTHER
    }

    /**
     * An error from its fields.
     *
     * @param kind    what went wrong
     * @param code    the resolver's own code, or 0
     * @param message the resolver's words
     */
    public ResolveError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return message + " (" + kind + (code != 0 ? ", code " + code : "") + ")";
    }
}
