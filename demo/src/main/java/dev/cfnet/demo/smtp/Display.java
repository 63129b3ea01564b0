package dev.cfnet.demo.smtp;

import dev.cfnet.tls.TlsConfig;
import dev.cfnet.tls.TlsError;
import dev.cfnet.tls.TlsEvent;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLPeerUnverifiedException;

/** How the SMTP tool writes addresses, durations and TLS outcomes in its transcript. */
public final class Display {
    private Display() {
    }

    /** 127.0.0.1:25, [::1]:25 (RFC 5952's short form, in brackets so that the port stands apart). */
    static String display(InetSocketAddress a) {
        if (a == null) return "?";
        return display(text(a.getAddress()), a.getPort());
    }

    /** host:port, with an IPv6 literal in brackets. */
    public static String display(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** An address as text; IPv6 in RFC 5952's short form (::1, not 0:0:0:0:0:0:0:1). */
    public static String text(InetAddress a) {
        if (!(a instanceof Inet6Address v6)) return a.getHostAddress();
        byte[] b = v6.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestAt = -1;
        int bestLen = 1;   // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!s.isEmpty() && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        int scope = v6.getScopeId();
        return scope > 0 ? s + "%" + scope : s.toString();
    }

    static String ms(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }

    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0 || d.isZero()) return d.toMillis() + " ms";
        return d.toSeconds() + " s";
    }

    /** Who the server's certificate names, and whether it was checked. */
    static String certificate(TlsEvent.Handshake h, TlsConfig c, String host) {
        String who;
        try {
            var chain = h.session().orElseThrow().getPeerCertificates();
            who = chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x
                    ? x.getSubjectX500Principal().getName() : "?";
        } catch (SSLPeerUnverifiedException e) {
            who = "none";
        }
        return "the server's certificate " + who + (c.verifiesHostname()
                ? " is trusted and names " + c.serverName().orElse(host) : " is NOT checked (--insecure)");
    }

    /** A TLS failure in the words of the SMTP tool. */
    static String describe(TlsError e) {
        String what = switch (e.kind()) {
            case HOSTNAME_MISMATCH -> "the server's certificate is for another name";
            case CERTIFICATE_EXPIRED -> "the server's certificate has expired (or is not valid yet)";
            case UNTRUSTED_CERTIFICATE -> "the server's certificate is not trusted (try --cafile FILE)";
            case BAD_CERTIFICATE -> "the server's certificate was refused";
            case PEER_ALERT -> "the server refused the handshake";
            case TIMED_OUT -> "no handshake in time";
            default -> null;
        };
        return what == null ? e.toString() : what + ": " + e;
    }
}
