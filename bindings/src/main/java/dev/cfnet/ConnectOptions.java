package dev.cfnet;

import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Socket#connect(RunLoop, String, int, java.util.Set, SocketHandler, ConnectOptions,
 * java.util.function.Consumer) Socket.connect} connects to a name (RFC 8305, Happy Eyeballs version 2).
 *
 * <pre>{@code
 * ConnectOptions o = ConnectOptions.defaults().withTimeout(Duration.ofSeconds(10));
 * }</pre>
 *
 * @param attemptDelay     RFC 8305's Connection Attempt Delay: how long an attempt runs alone before the next address
 *                         is tried beside it (an attempt that fails starts the next one at once); at least 10 ms, as
 *                         the RFC requires; 250 ms by default, the RFC's recommendation
 * @param timeout          the longest the whole connect may take, resolution included; positive; 30 s by default
 * @param preferredFamily  the family tried first, {@link StandardProtocolFamily#INET6} (the default) or
 *                         {@link StandardProtocolFamily#INET}
 * @param firstFamilyCount RFC 8305's First Address Family Count: how many addresses of the preferred family come
 *                         before the first of the other family (the families alternate after that); at least 1, 1 by
 *                         default
 */
public record ConnectOptions(Duration attemptDelay, Duration timeout, ProtocolFamily preferredFamily,
                             int firstFamilyCount) {
    /** The Connection Attempt Delay RFC 8305 recommends: 250 ms. */
    public static final Duration DEFAULT_ATTEMPT_DELAY = Duration.ofMillis(250);
    /** The shortest Connection Attempt Delay RFC 8305 allows: 10 ms. */
    public static final Duration MIN_ATTEMPT_DELAY = Duration.ofMillis(10);
    /** The total timeout of {@link #defaults()}: 30 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException the attempt delay is under 10 ms, the timeout is not positive, the family is
     *                                  neither INET nor INET6, or the count is under 1
     */
    public ConnectOptions {
        Objects.requireNonNull(attemptDelay, "attemptDelay");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(preferredFamily, "preferredFamily");
        if (attemptDelay.compareTo(MIN_ATTEMPT_DELAY) < 0) {
            throw new IllegalArgumentException("the connection attempt delay must be at least 10 ms (RFC 8305), got "
                    + attemptDelay.toMillis() + " ms");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the connect timeout must be positive, got " + timeout);
        }
        if (preferredFamily != StandardProtocolFamily.INET && preferredFamily != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("the preferred family is INET or INET6, not " + preferredFamily);
        }
        if (firstFamilyCount < 1) {
            throw new IllegalArgumentException("the first address family count must be at least 1, got "
                    + firstFamilyCount);
        }
    }

    /**
     * RFC 8305's recommendations: attempts 250 ms apart, IPv6 first, one address of it before the first IPv4 one;
     * the whole bounded by 30 s.
     *
     * @return the default options
     */
    public static ConnectOptions defaults() {
        return new ConnectOptions(DEFAULT_ATTEMPT_DELAY, DEFAULT_TIMEOUT, StandardProtocolFamily.INET6, 1);
    }

    /**
     * These options with another Connection Attempt Delay.
     *
     * @param delay at least 10 ms
     * @return the new options
     */
    public ConnectOptions withAttemptDelay(Duration delay) {
        return new ConnectOptions(delay, timeout, preferredFamily, firstFamilyCount);
    }

    /**
     * These options with another total timeout.
     *
     * @param total positive
     * @return the new options
     */
    public ConnectOptions withTimeout(Duration total) {
        return new ConnectOptions(attemptDelay, total, preferredFamily, firstFamilyCount);
    }

    /**
     * These options with another preferred family.
     *
     * @param family INET or INET6
     * @return the new options
     */
    public ConnectOptions withPreferredFamily(ProtocolFamily family) {
        return new ConnectOptions(attemptDelay, timeout, family, firstFamilyCount);
    }

    /**
     * These options with another First Address Family Count.
     *
     * @param count at least 1
     * @return the new options
     */
    public ConnectOptions withFirstFamilyCount(int count) {
        return new ConnectOptions(attemptDelay, timeout, preferredFamily, count);
    }
}
