package dev.cfnet;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/** The outcome of {@link Host#resolve}: every address of the name, or why there are none. */
public sealed interface ResolveResult {

    /** The name that was resolved. */
    String name();

    /** The name's addresses, IPv6 and IPv4, in the order the resolver gave them (never empty). */
    record Resolved(String name, List<InetAddress> addresses) implements ResolveResult {
        public Resolved {
            Objects.requireNonNull(name, "name");
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a resolved name has at least one address");
            }
        }
    }

    /** The name did not resolve. */
    record Failed(String name, ResolveError error) implements ResolveResult {
        public Failed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(error, "error");
        }
    }
}
