package dev.cfnet;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/** The outcome of {@link Host#resolve}: every address of the name, or why there are none. */
public sealed interface ResolveResult {

    /**
     * The name that was resolved.
     *
     * @return the name as resolved (IDNs in their ASCII form, IPv6 literals without brackets)
     */
    String name();

    /**
     * The name's addresses, IPv6 and IPv4, in the order the resolver gave them (never empty).
     *
     * @param name      the name that was resolved
     * @param addresses its addresses, at least one
     */
    record Resolved(String name, List<InetAddress> addresses) implements ResolveResult {
        /**
         * A result from its fields.
         *
         * @param name      the name that was resolved
         * @param addresses its addresses, at least one (copied)
         * @throws IllegalArgumentException when {@code addresses} is empty
         */
        public Resolved {
            Objects.requireNonNull(name, "name");
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a resolved name has at least one address");
            }
        }
    }

    /**
     * The name did not resolve.
     *
     * @param name  the name that was looked up
     * @param error why it did not resolve; its message does not repeat the name
     */
    record Failed(String name, ResolveError error) implements ResolveResult {
        /**
         * A result from its fields.
         *
         * @param name  the name that was looked up
         * @param error why it did not resolve
         */
        public Failed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(error, "error");
        }
    }
}
