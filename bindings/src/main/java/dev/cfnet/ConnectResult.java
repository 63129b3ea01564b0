package dev.cfnet;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The outcome of a connect by name ({@link Socket#connect(RunLoop, String, int, java.util.Set, SocketHandler,
 * ConnectOptions, java.util.function.Consumer) Socket.connect}): the connected socket, or why there is none.
 */
public sealed interface ConnectResult {

    /**
     * The addresses in the order they were to be tried (RFC 8305: families interleaved, the preferred first); empty
     * when the name did not resolve.
     *
     * @return the addresses
     */
    List<InetSocketAddress> addresses();

    /**
     * The attempts made, in the order they started.
     *
     * @return the attempts
     */
    List<ConnectAttempt> attempts();

    /**
     * How long the connect took, from the call to the result.
     *
     * @return the time
     */
    Duration elapsed();

    /**
     * Connected: {@code socket} is an ordinary socket with the caller's callbacks and handler, now the caller's.
     *
     * @param socket    the connected socket
     * @param addresses the addresses in the order they were to be tried
     * @param attempts  the attempts, the winner's outcome {@link ConnectAttempt.Outcome#CONNECTED}
     * @param elapsed   how long it took
     */
    record Connected(Socket socket, List<InetSocketAddress> addresses, List<ConnectAttempt> attempts,
                     Duration elapsed) implements ConnectResult {
        /** Copies the lists. */
        public Connected {
            Objects.requireNonNull(socket, "socket");
            addresses = List.copyOf(addresses);
            attempts = List.copyOf(attempts);
            Objects.requireNonNull(elapsed, "elapsed");
        }

        /**
         * The attempt that connected.
         *
         * @return the winner
         */
        public ConnectAttempt winner() {
            return attempts.stream().filter(a -> a.outcome() == ConnectAttempt.Outcome.CONNECTED).findFirst()
                    .orElseThrow();
        }
    }

    /**
     * No connection: the name did not resolve, every address failed (each attempt with its own error), or the total
     * timeout passed first (attempts still under way then failed with {@link SocketError.Kind#TIMED_OUT}).
     *
     * @param host         the name (or literal) connected to
     * @param port         the port
     * @param reason       why
     * @param resolveError the resolver's error; present exactly when {@code reason} is {@link Reason#NOT_RESOLVED}
     * @param addresses    the addresses in the order they were to be tried
     * @param attempts     the attempts made, each {@link ConnectAttempt.Outcome#FAILED} with its error
     * @param elapsed      how long it took
     */
    record Failed(String host, int port, Reason reason, Optional<ResolveError> resolveError,
                  List<InetSocketAddress> addresses, List<ConnectAttempt> attempts, Duration elapsed)
            implements ConnectResult {

        /** Why a connect by name failed. */
        public enum Reason {
            /** The name did not resolve. */
            NOT_RESOLVED,
            /** Every address was tried and failed. */
            ALL_ATTEMPTS_FAILED,
            /** The total timeout passed before any attempt connected. */
            TIMED_OUT
        }

        /**
         * Checks the failure and copies the lists.
         *
         * @throws IllegalArgumentException the resolver's error is there without {@link Reason#NOT_RESOLVED}, or
         *                                  missing with it
         */
        public Failed {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(resolveError, "resolveError");
            addresses = List.copyOf(addresses);
            attempts = List.copyOf(attempts);
            Objects.requireNonNull(elapsed, "elapsed");
            if (resolveError.isPresent() != (reason == Reason.NOT_RESOLVED)) {
                throw new IllegalArgumentException("a resolver error comes exactly with NOT_RESOLVED; got " + reason
                        + " with " + resolveError);
            }
        }

        /**
         * One line for people, naming each address tried with its error, e.g. {@code cannot connect to
         * mail.example.org port 25: [2001:db8::1]:25 Connection refused (CONNECTION_REFUSED, errno 111); 192.0.2.1:25
         * Connection refused (CONNECTION_REFUSED, errno 111)}.
         *
         * @return the message
         */
        public String message() {
            String what = "cannot connect to " + host + " port " + port + ": ";
            String tried = attempts.stream()
                    .map(a -> ConnectAttempt.display(a.address()) + " " + a.error().map(SocketError::toString)
                            .orElse(a.outcome().toString()))
                    .collect(Collectors.joining("; "));
            int untried = addresses.size() - attempts.size();
            String rest = untried > 0 ? " (" + untried + " more address" + (untried == 1 ? "" : "es")
                    + " not tried)" : "";
            return switch (reason) {
                case NOT_RESOLVED -> what + "the name did not resolve: " + resolveError.orElseThrow();
                case ALL_ATTEMPTS_FAILED -> what + (attempts.isEmpty() ? "no address" : tried);
                case TIMED_OUT -> what + "no connection within " + ConnectAttempt.millis(elapsed)
                        + (attempts.isEmpty() ? " (the name was still resolving)" : ": " + tried) + rest;
            };
        }

        /**
         * This failure as an exception, as {@link Socket#connectAsync} completes with.
         *
         * @return the exception
         */
        public ConnectFailedException toException() {
            return new ConnectFailedException(this);
        }
    }
}
