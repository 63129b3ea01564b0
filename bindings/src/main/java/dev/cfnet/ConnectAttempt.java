package dev.cfnet;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One connection attempt of a connect by name: where, when, and how it ended.
 *
 * @param address the address tried
 * @param started when the attempt began, from the start of the connect
 * @param ended   when it ended, from the start of the connect
 * @param outcome how it ended
 * @param error   why it failed; present exactly when {@code outcome} is {@link Outcome#FAILED}
 */
public record ConnectAttempt(InetSocketAddress address, Duration started, Duration ended, Outcome outcome,
                             Optional<SocketError> error) {

    /** How an attempt ended. */
    public enum Outcome {
        /** It connected first: its socket is the result. */
        CONNECTED,
        /** It failed; {@link #error()} says why ({@link SocketError.Kind#TIMED_OUT} at the total timeout). */
        FAILED,
        /** Another attempt connected first, and this one was invalidated. */
        ABANDONED
    }

    /**
     * Checks the attempt.
     *
     * @throws IllegalArgumentException the error is there without a failure, or missing with one
     */
    public ConnectAttempt {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(error, "error");
        if (error.isPresent() != (outcome == Outcome.FAILED)) {
            throw new IllegalArgumentException("an attempt has an error exactly when it FAILED; got " + outcome
                    + " with " + error);
        }
    }

    /**
     * The attempt for people, e.g. {@code [::1]:25 started at 0.1 ms, FAILED after 0.4 ms: Connection refused}.
     *
     * @return one line
     */
    @Override
    public String toString() {
        return display(address) + " started at " + millis(started) + ", " + outcome + " after "
                + millis(ended.minus(started)) + error.map(e -> ": " + e).orElse("");
    }

    /**
     * An address as people write it: {@code 192.0.2.1:25}, {@code [2001:db8::1]:25}.
     *
     * @param a a resolved address
     * @return its text
     */
    static String display(InetSocketAddress a) {
        if (!(a.getAddress() instanceof Inet6Address v6)) return a.getAddress().getHostAddress() + ":" + a.getPort();
        String full = v6.getHostAddress();
        int pct = full.indexOf('%');
        return "[" + compress(v6.getAddress()) + (pct >= 0 ? full.substring(pct) : "") + "]:" + a.getPort();
    }

    /** RFC 5952's text: lower-case hex, the longest run of two or more zero groups (the first of equals) as "::". */
    static String compress(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int best = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') out.append(':');
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }

    static String millis(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }
}
