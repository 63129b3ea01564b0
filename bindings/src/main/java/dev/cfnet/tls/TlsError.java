package dev.cfnet.tls;

import dev.cfnet.SocketError;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;

/**
 * A TLS failure, as {@link SocketError} is a socket failure: a portable {@link Kind}, the TLS alert involved (the
 * one received for {@link Kind#PEER_ALERT}, else the one this side sent, when there was one), the socket error
 * behind a {@link Kind#NETWORK} failure, and a message for people.
 *
 * @param kind        what went wrong
 * @param alert       the alert received ({@link Kind#PEER_ALERT}) or sent (the other kinds), if any
 * @param socketError the socket's error behind a {@link Kind#NETWORK} failure
 * @param message     one line for people
 */
public record TlsError(Kind kind, Optional<TlsAlert> alert, Optional<SocketError> socketError, String message) {

    /** What went wrong, portably. */
    public enum Kind {
        /** The handshake failed for a reason other than a certificate: no common protocol version, cipher suite
         *  or group, or an unexpected message. */
        HANDSHAKE_FAILED,
        /** The peer's certificate chain does not lead to a certificate this side trusts. */
        UNTRUSTED_CERTIFICATE,
        /** The peer's certificate (or one in its chain) has expired or is not valid yet. */
        CERTIFICATE_EXPIRED,
        /** The peer's certificate is not for the host name this side asked for (endpoint identification). */
        HOSTNAME_MISMATCH,
        /** The peer's certificate was refused for another reason (bad signature, wrong key usage, ...). */
        BAD_CERTIFICATE,
        /** The peer sent a fatal alert: it refused something of this side's; {@link #alert()} says what. */
        PEER_ALERT,
        /** The peer's bytes are not valid TLS, or a record failed authentication. */
        PROTOCOL_ERROR,
        /** The connection ended without the peer's close_notify: the data may have been cut short. */
        TRUNCATED,
        /** The handshake did not finish within {@link TlsConfig#handshakeTimeout()}. */
        TIMED_OUT,
        /** The socket failed (refused, reset, ...); {@link #socketError()} says how. */
        NETWORK,
        /** The TLS socket is invalidated, or its output was shut down. */
        CLOSED
    }

    /**
     * Checks the components.
     *
     * @param kind        what went wrong
     * @param alert       the alert involved, if any
     * @param socketError the socket error behind it, if any
     * @param message     one line for people
     */
    public TlsError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(alert, "alert");
        Objects.requireNonNull(socketError, "socketError");
        Objects.requireNonNull(message, "message");
    }

    /**
     * A failure of the socket under the TLS session.
     *
     * @param error the socket's error
     * @return a {@link Kind#NETWORK} error
     */
    public static TlsError network(SocketError error) {
        Objects.requireNonNull(error, "error");
        return new TlsError(Kind.NETWORK, Optional.empty(), Optional.of(error), error.message());
    }

    /**
     * A failure without an alert or a socket error.
     *
     * @param kind    what went wrong
     * @param message one line for people
     * @return the error
     */
    public static TlsError of(Kind kind, String message) {
        return new TlsError(kind, Optional.empty(), Optional.empty(), message);
    }

    /**
     * True for the kinds that mean the peer's certificate was refused here.
     *
     * @return true for {@link Kind#UNTRUSTED_CERTIFICATE}, {@link Kind#CERTIFICATE_EXPIRED},
     *         {@link Kind#HOSTNAME_MISMATCH} and {@link Kind#BAD_CERTIFICATE}
     */
    public boolean isCertificateProblem() {
        return switch (kind) {
            case UNTRUSTED_CERTIFICATE, CERTIFICATE_EXPIRED, HOSTNAME_MISMATCH, BAD_CERTIFICATE -> true;
            default -> false;
        };
    }

    /**
     * Classifies what the JDK's SSLEngine threw. The JDK starts its messages with the alert it sent or received,
     * {@code "(certificate_unknown) ..."}, and says {@code "Received fatal alert"} for the peer's; the certificate
     * kinds come from the exception's causes.
     */
    static TlsError classify(Throwable e, boolean handshaking) {
        String text = e.getMessage() == null ? e.toString() : e.getMessage();
        Optional<TlsAlert> alert = Optional.empty();
        if (text.startsWith("(")) {
            int close = text.indexOf(") ");
            if (close > 0) {
                alert = TlsAlert.ofDescription(text.substring(1, close));
                if (alert.isPresent()) text = text.substring(close + 2);
            }
        }
        Kind kind;
        if (text.startsWith("Received fatal alert")) {
            kind = Kind.PEER_ALERT;
        } else if (has(e, CertificateExpiredException.class) || has(e, CertificateNotYetValidException.class)
                || validatorReason(e, CertPathValidatorException.BasicReason.EXPIRED)
                || validatorReason(e, CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
            kind = Kind.CERTIFICATE_EXPIRED;
        } else if (has(e, CertPathBuilderException.class) || validatorReason(e, PKIXReason.NO_TRUST_ANCHOR)) {
            kind = Kind.UNTRUSTED_CERTIFICATE;
        } else if (nameMismatch(e)) {
            kind = Kind.HOSTNAME_MISMATCH;
        } else if (has(e, CertificateException.class)) {
            kind = Kind.BAD_CERTIFICATE;
        } else if (handshaking || e instanceof SSLHandshakeException) {
            kind = Kind.HANDSHAKE_FAILED;
        } else {
            kind = Kind.PROTOCOL_ERROR;
        }
        return new TlsError(kind, alert, Optional.empty(), text);
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return true;
        }
        return false;
    }

    private static boolean validatorReason(Throwable e, CertPathValidatorException.Reason reason) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException v && v.getReason() == reason) return true;
        }
        return false;
    }

    /** The JDK's HostnameChecker has no exception type of its own; its messages are stable since JDK 7. */
    private static boolean nameMismatch(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException && t.getMessage() != null) {
                String m = t.getMessage().toLowerCase(Locale.ROOT);
                if (m.startsWith("no subject alternative") || m.startsWith("no name matching")) return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(message).append(" (").append(kind);
        alert.ifPresent(a -> b.append(", alert ").append(a.description()));
        socketError.ifPresent(s -> b.append(", ").append(s.kind()).append(s.code() == 0 ? "" : ", errno " + s.code()));
        return b.append(')').toString();
    }
}
