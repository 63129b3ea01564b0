package dev.cfnet.tls;

import java.util.Locale;
import java.util.Optional;

/**
 * A TLS alert description (RFC 8446 section 6, RFC 5246 section 7.2, and the IANA registry): what a TLS peer says
 * when it ends a connection or refuses a handshake.
 */
public enum TlsAlert {
    /** The sender will send no more (a clean end, not an error). */
    CLOSE_NOTIFY(0),
    /** A message came that was not expected now. */
    UNEXPECTED_MESSAGE(10),
    /** A record failed authentication: corrupted or forged bytes. */
    BAD_RECORD_MAC(20),
    /** TLS 1.0 only; never sent by current peers. */
    DECRYPTION_FAILED(21),
    /** A record longer than TLS allows. */
    RECORD_OVERFLOW(22),
    /** TLS 1.2 and older: decompression failed. */
    DECOMPRESSION_FAILURE(30),
    /** No acceptable set of security parameters: no common protocol version, cipher suite or group. */
    HANDSHAKE_FAILURE(40),
    /** SSL 3.0 only. */
    NO_CERTIFICATE(41),
    /** A certificate was corrupt, or its signature did not verify. */
    BAD_CERTIFICATE(42),
    /** A certificate of an unsupported type. */
    UNSUPPORTED_CERTIFICATE(43),
    /** A certificate was revoked by its signer. */
    CERTIFICATE_REVOKED(44),
    /** A certificate has expired or is not yet valid. */
    CERTIFICATE_EXPIRED(45),
    /** Some other certificate problem made it unacceptable (the JDK's answer to an untrusted chain or a wrong name). */
    CERTIFICATE_UNKNOWN(46),
    /** A field in the handshake was out of range or inconsistent. */
    ILLEGAL_PARAMETER(47),
    /** A certificate chain whose root is not trusted. */
    UNKNOWN_CA(48),
    /** Access control refused the handshake. */
    ACCESS_DENIED(49),
    /** A message could not be decoded. */
    DECODE_ERROR(50),
    /** A handshake cryptographic operation failed. */
    DECRYPT_ERROR(51),
    /** Historic. */
    EXPORT_RESTRICTION(60),
    /** The peer's protocol version is recognised but not supported. */
    PROTOCOL_VERSION(70),
    /** The server requires stronger parameters than the client offered. */
    INSUFFICIENT_SECURITY(71),
    /** An error of the peer's own, unrelated to the protocol. */
    INTERNAL_ERROR(80),
    /** A fallback the server refuses (RFC 7507). */
    INAPPROPRIATE_FALLBACK(86),
    /** The handshake is being cancelled. */
    USER_CANCELED(90),
    /** TLS 1.2 and older: renegotiation refused. */
    NO_RENEGOTIATION(100),
    /** A mandatory extension is missing. */
    MISSING_EXTENSION(109),
    /** An extension the receiver did not offer or cannot take. */
    UNSUPPORTED_EXTENSION(110),
    /** A certificate could not be fetched. */
    CERTIFICATE_UNOBTAINABLE(111),
    /** The server has no certificate for the name the client asked for (SNI). */
    UNRECOGNIZED_NAME(112),
    /** An invalid or unacceptable OCSP response. */
    BAD_CERTIFICATE_STATUS_RESPONSE(113),
    /** A certificate hash that does not match. */
    BAD_CERTIFICATE_HASH_VALUE(114),
    /** No key for the PSK identity offered. */
    UNKNOWN_PSK_IDENTITY(115),
    /** The server requires a client certificate and got none. */
    CERTIFICATE_REQUIRED(116),
    /** No application protocol (ALPN) in common. */
    NO_APPLICATION_PROTOCOL(120);

    private final int code;

    TlsAlert(int code) {
        this.code = code;
    }

    /**
     * The alert's number on the wire.
     *
     * @return the AlertDescription value, 0 to 255
     */
    public int code() {
        return code;
    }

    /**
     * The alert's name as the TLS specifications write it.
     *
     * @return e.g. {@code "certificate_expired"}
     */
    public String description() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The alert with a wire number.
     *
     * @param code an AlertDescription value
     * @return the alert, or empty for a number this enum does not know
     */
    public static Optional<TlsAlert> ofCode(int code) {
        for (TlsAlert a : values()) {
            if (a.code == code) return Optional.of(a);
        }
        return Optional.empty();
    }

    /**
     * The alert with a specification name.
     *
     * @param description e.g. {@code "handshake_failure"}; case does not matter
     * @return the alert, or empty for a name this enum does not know
     */
    public static Optional<TlsAlert> ofDescription(String description) {
        if (description == null) return Optional.empty();
        for (TlsAlert a : values()) {
            if (a.name().equalsIgnoreCase(description.strip())) return Optional.of(a);
        }
        return Optional.empty();
    }
}
