package dev.cfnet.tls;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * How a {@link TlsSocket} speaks TLS: the role, the caller's {@link SSLContext} (keys and trust), optional
 * {@link SSLParameters}, and for a client the server's name. Immutable; each {@code with...} returns a new config.
 *
 * <p>A client verifies the server's name by default: it sends the name as SNI (unless it is an address literal)
 * and sets endpoint identification to {@code "HTTPS"} (RFC 2818 / RFC 6125 matching against the certificate's
 * subject alternative names), so a certificate for another host fails with {@link TlsError.Kind#HOSTNAME_MISMATCH}.
 * {@link #withoutHostnameVerification()} turns that off.
 */
public final class TlsConfig {
    /** How long a handshake may take before it fails with {@link TlsError.Kind#TIMED_OUT}, unless changed. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

    /** Which end of the handshake this side is. */
    public enum Role {
        /** Sends the ClientHello and checks the server's certificate. */
        CLIENT,
        /** Answers the ClientHello with its certificate. */
        SERVER
    }

    private final Role role;
    private final SSLContext context;
    private final String serverName;
    private final boolean verifyHostname;
    private final SSLParameters parameters;
    private final Duration handshakeTimeout;

    private TlsConfig(Role role, SSLContext context, String serverName, boolean verifyHostname,
                      SSLParameters parameters, Duration handshakeTimeout) {
        this.role = role;
        this.context = context;
        this.serverName = serverName;
        this.verifyHostname = verifyHostname;
        this.parameters = parameters;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * A client of {@code serverName}, with the name verified against the server's certificate.
     *
     * @param context    keys and trust (for example {@code SSLContext.getDefault()}, or one made with a trust store)
     * @param serverName the host name (or address literal) the certificate must name; brackets around an IPv6
     *                   literal and a trailing dot are dropped
     * @return the config
     * @throws IllegalArgumentException when the name is blank or contains spaces or control characters
     */
    public static TlsConfig client(SSLContext context, String serverName) {
        Objects.requireNonNull(context, "context");
        return new TlsConfig(Role.CLIENT, context, checkName(serverName), true, null, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /**
     * A server; the context's key manager supplies the certificate.
     *
     * @param context keys (and trust, when clients must show certificates)
     * @return the config
     */
    public static TlsConfig server(SSLContext context) {
        Objects.requireNonNull(context, "context");
        return new TlsConfig(Role.SERVER, context, null, false, null, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "serverName");
        String n = name.strip();
        if (n.startsWith("[") && n.endsWith("]")) n = n.substring(1, n.length() - 1);
        if (n.endsWith(".") && n.length() > 1) n = n.substring(0, n.length() - 1);
        if (n.isEmpty()) throw new IllegalArgumentException("the server name is empty");
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException("the server name '" + name + "' contains a space or a control "
                        + "character");
            }
        }
        return n;
    }

    /**
     * The same config with these parameters: protocols, cipher suites, client authentication, ALPN, and so on.
     * They are copied. Unset ones keep the engine's defaults; a client's endpoint identification and SNI are still
     * set unless {@link #withoutHostnameVerification()} or the parameters name their own.
     *
     * @param parameters the parameters
     * @return the new config
     */
    public TlsConfig withParameters(SSLParameters parameters) {
        Objects.requireNonNull(parameters, "parameters");
        return new TlsConfig(role, context, serverName, verifyHostname, copy(parameters), handshakeTimeout);
    }

    /**
     * The same config limited to these protocol versions.
     *
     * @param protocols e.g. {@code "TLSv1.3"}, {@code "TLSv1.2"}
     * @return the new config
     * @throws IllegalArgumentException when none is given
     */
    public TlsConfig withProtocols(String... protocols) {
        Objects.requireNonNull(protocols, "protocols");
        if (protocols.length == 0) throw new IllegalArgumentException("name at least one protocol, e.g. TLSv1.3");
        for (String p : protocols) Objects.requireNonNull(p, "protocols contains null");
        SSLParameters p = parameters == null ? new SSLParameters() : copy(parameters);
        p.setProtocols(protocols.clone());
        return new TlsConfig(role, context, serverName, verifyHostname, p, handshakeTimeout);
    }

    /**
     * The same client config without host name verification: any name the trust manager accepts will do. Only
     * for peers whose certificates name nothing useful; the trust manager still checks the chain.
     *
     * @return the new config
     * @throws IllegalStateException for a server config (servers verify no host name)
     */
    public TlsConfig withoutHostnameVerification() {
        if (role != Role.CLIENT) throw new IllegalStateException("only a client verifies the server's name");
        return new TlsConfig(role, context, serverName, false, parameters, handshakeTimeout);
    }

    /**
     * The same config with another handshake deadline (counted from the TLS socket's creation, so it includes the
     * connect of {@link TlsSocket#connect}).
     *
     * @param timeout more than zero
     * @return the new config
     * @throws IllegalArgumentException when the timeout is zero or negative
     */
    public TlsConfig withHandshakeTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a handshake timeout must be more than zero, got " + timeout);
        }
        return new TlsConfig(role, context, serverName, verifyHostname, parameters, timeout);
    }

    /**
     * Client or server.
     *
     * @return the role
     */
    public Role role() {
        return role;
    }

    /**
     * The caller's context.
     *
     * @return the context
     */
    public SSLContext context() {
        return context;
    }

    /**
     * The name a client asks for and verifies.
     *
     * @return the name; empty for a server
     */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /**
     * True when a client checks the server's certificate against {@link #serverName()}.
     *
     * @return false for servers and after {@link #withoutHostnameVerification()}
     */
    public boolean verifiesHostname() {
        return verifyHostname;
    }

    /**
     * The caller's parameters.
     *
     * @return a copy, or empty when none were given
     */
    public Optional<SSLParameters> parameters() {
        return Optional.ofNullable(parameters).map(TlsConfig::copy);
    }

    /**
     * The handshake deadline.
     *
     * @return {@link #DEFAULT_HANDSHAKE_TIMEOUT} unless changed
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** A new engine for a peer at {@code port} (-1 when unknown). */
    SSLEngine newEngine(int port) {
        SSLEngine e = serverName == null ? context.createSSLEngine() : context.createSSLEngine(serverName, port);
        e.setUseClientMode(role == Role.CLIENT);
        SSLParameters p = parameters == null ? e.getSSLParameters() : copy(parameters);
        if (role == Role.CLIENT) {
            if (verifyHostname) {
                if (p.getEndpointIdentificationAlgorithm() == null) p.setEndpointIdentificationAlgorithm("HTTPS");
            } else {
                p.setEndpointIdentificationAlgorithm(null);
            }
            if ((p.getServerNames() == null || p.getServerNames().isEmpty()) && !isAddressLiteral(serverName)) {
                try {
                    p.setServerNames(List.of(new SNIHostName(serverName)));
                } catch (IllegalArgumentException notADnsName) {
                    // e.g. a name with '_': no SNI, the certificate check still applies
                }
            }
        }
        e.setSSLParameters(p);
        return e;
    }

    /** RFC 6066: SNI carries DNS names only, never an address literal. */
    static boolean isAddressLiteral(String name) {
        if (name.indexOf(':') >= 0) return true;
        if (!name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) return false;
        try {
            return InetAddress.ofLiteral(name) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static SSLParameters copy(SSLParameters p) {
        SSLParameters c = new SSLParameters();
        c.setCipherSuites(p.getCipherSuites());
        c.setProtocols(p.getProtocols());
        if (p.getNeedClientAuth()) {
            c.setNeedClientAuth(true);
        } else if (p.getWantClientAuth()) {
            c.setWantClientAuth(true);
        }
        c.setAlgorithmConstraints(p.getAlgorithmConstraints());
        c.setEndpointIdentificationAlgorithm(p.getEndpointIdentificationAlgorithm());
        c.setServerNames(p.getServerNames());
        c.setSNIMatchers(p.getSNIMatchers());
        c.setUseCipherSuitesOrder(p.getUseCipherSuitesOrder());
        c.setEnableRetransmissions(p.getEnableRetransmissions());
        c.setMaximumPacketSize(p.getMaximumPacketSize());
        c.setApplicationProtocols(p.getApplicationProtocols());
        c.setSignatureSchemes(p.getSignatureSchemes());
        c.setNamedGroups(p.getNamedGroups());
        return c;
    }

    @Override
    public String toString() {
        return "TlsConfig[" + role.name().toLowerCase(Locale.ROOT)
                + (serverName == null ? "" : " of " + serverName + (verifyHostname ? ", name verified" : ", name not verified"))
                + (parameters != null && parameters.getProtocols() != null
                        ? ", " + String.join("/", parameters.getProtocols()) : "")
                + ", handshake within " + handshakeTimeout + "]";
    }
}
