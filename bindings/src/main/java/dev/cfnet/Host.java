package dev.cfnet;

import dev.cfnet.spi.ResolutionDriver;
import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Asynchronous name resolution, CFHost's counterpart: {@code CFHostCreateWithName} + {@code CFHostSetClient} +
 * {@code CFHostScheduleWithRunLoop} + {@code CFHostStartInfoResolution(kCFHostAddresses)} in one call.
 */
public final class Host {
    private Host() {
    }

    /** A resolution in flight; a run loop source until its result is delivered or it is cancelled. */
    public static final class Resolution implements RunLoopSource {
        private final RunLoop loop;
        private final String name;
        private final ResolutionDriver driver;

        private Resolution(RunLoop loop, String name, Consumer<ResolveResult> callback) {
            this.loop = loop;
            this.name = name;
            this.driver = loop.driver().resolve(this, name, callback);
        }

        private Resolution started() {
            driver.start();
            return this;
        }

        /**
         * The name being resolved.
         *
         * @return the name as checked by {@link Host#checkName} (IDNs in their ASCII form)
         */
        public String name() {
            return name;
        }

        /**
         * True until the result was delivered or the resolution cancelled.
         *
         * @return whether the callback may still run
         */
        public boolean isPending() {
            return driver.isPending();
        }

        /** Cancels, as CFHostCancelInfoResolution: once this returns, the callback will not run. Any thread. */
        public void cancel() {
            driver.cancel();
        }

        @Override
        public RunLoop loop() {
            return loop;
        }

        @Override
        public boolean isValid() {
            return driver.isPending();
        }

        @Override
        public void invalidate() {
            driver.cancel();
        }

        @Override
        public String toString() {
            return "Resolution[" + name + (isPending() ? ", pending" : "") + "]";
        }
    }

    /**
     * Resolves {@code name} to all its addresses, IPv6 and IPv4; the result arrives on {@code loop}'s thread.
     * Address literals ({@code 127.0.0.1}, {@code ::1}, {@code [::1]}) resolve without asking any resolver.
     *
     * @param loop     the loop whose thread runs {@code callback}
     * @param name     a host name or address literal
     * @param callback gets the {@link ResolveResult}: {@link ResolveResult.Resolved} or {@link ResolveResult.Failed}
     * @return the resolution, a source of {@code loop} until the result is delivered; {@link Resolution#cancel()}
     *         stops it
     * @throws IllegalArgumentException the name is not a syntactically valid host name or address
     * @throws IllegalStateException    the loop is closed
     */
    public static Resolution resolve(RunLoop loop, String name, Consumer<ResolveResult> callback) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(callback, "callback");
        String checked = checkName(name);
        if (loop.isClosed()) {
            throw new IllegalStateException("run loop '" + loop.name() + "' is closed");
        }
        return new Resolution(loop, checked, callback).started();
    }

    /**
     * {@link #resolve} as a future, completed on the loop thread with the addresses, or exceptionally with an
     * {@link UnknownHostException} whose message is the name and the {@link ResolveError}
     * ({@code "mail.example.invalid: Name or service not known (NOT_FOUND, code -2)"}). Cancelling the future
     * cancels the resolution.
     *
     * @param loop the loop whose thread completes the future
     * @param name a host name or address literal
     * @return the name's addresses, IPv6 and IPv4, in the resolver's order
     * @throws IllegalArgumentException the name is not a syntactically valid host name or address
     * @throws IllegalStateException    the loop is closed
     */
    public static CompletableFuture<List<InetAddress>> resolveAsync(RunLoop loop, String name) {
        CompletableFuture<List<InetAddress>> future = new CompletableFuture<>();
        Resolution r = resolve(loop, name, result -> {
            switch (result) {
                case ResolveResult.Resolved ok -> future.complete(ok.addresses());
                case ResolveResult.Failed failed -> future.completeExceptionally(
                        new UnknownHostException(failed.name() + ": " + failed.error()));
            }
        });
        future.whenComplete((v, t) -> {
            if (future.isCancelled()) r.cancel();
        });
        return future;
    }

    /**
     * Checks a host name or address literal and returns the form to resolve: brackets stripped from IPv6
     * literals, internationalised names in ASCII (punycode).
     *
     * @param name a host name or address literal, as a user typed it
     * @return the name to resolve
     * @throws IllegalArgumentException with what is wrong with it
     */
    public static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.strip();
        if (n.isEmpty()) {
            throw new IllegalArgumentException("host name is empty");
        }
        if (n.startsWith("[") && n.endsWith("]")) {
            n = n.substring(1, n.length() - 1);
            if (!isIpv6Literal(n)) {
                throw new IllegalArgumentException("'" + name + "' is not an IPv6 address in brackets");
            }
            return n;
        }
        if (n.indexOf(':') >= 0) {
            if (!isIpv6Literal(n)) {
                throw new IllegalArgumentException("'" + name + "' is not a host name nor an IPv6 address (a host "
                        + "name has no ':'; give the port separately)");
            }
            return n;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/' || c == '@' || c == '\\') {
                throw new IllegalArgumentException("host name '" + printable(name) + "' contains '"
                        + printable(String.valueOf(c)) + "'");
            }
        }
        String ascii = n;
        if (!n.chars().allMatch(c -> c < 0x80)) {
            try {
                ascii = IDN.toASCII(n, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("host name '" + printable(name) + "' is not valid: "
                        + e.getMessage());
            }
        }
        if (ascii.endsWith(".")) {
            ascii = ascii.substring(0, ascii.length() - 1);
        }
        if (ascii.length() > 253) {
            throw new IllegalArgumentException("host name is " + ascii.length() + " characters; at most 253 allowed");
        }
        for (String label : ascii.split("\\.", -1)) {
            if (label.isEmpty()) {
                throw new IllegalArgumentException("host name '" + printable(name) + "' has an empty label");
            }
            if (label.length() > 63) {
                throw new IllegalArgumentException("host name '" + printable(name) + "' has a label of "
                        + label.length() + " characters; at most 63 allowed");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '_';
                if (!ok) {
                    throw new IllegalArgumentException("host name '" + printable(name) + "' contains '" + c + "'");
                }
            }
        }
        return ascii;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 80 ? b + "..." : b.toString();
    }

    /**
     * True for a textual IPv4 address (dotted quad).
     *
     * @param s any text
     * @return whether {@code s} is four decimal numbers from 0 to 255 separated by dots
     */
    public static boolean isIpv4Literal(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) return false;
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') return false;
            }
            if (Integer.parseInt(p) > 255) return false;
        }
        return true;
    }

    /**
     * True for a textual IPv6 address (with an optional %scope), without brackets.
     *
     * @param s any text
     * @return whether {@code s} is an IPv6 address; never asks a resolver
     */
    public static boolean isIpv6Literal(String s) {
        if (s.indexOf(':') < 0) return false;
        String addr = s;
        int pct = s.indexOf('%');
        if (pct >= 0) {
            addr = s.substring(0, pct);
            if (pct == s.length() - 1) return false;
        }
        for (int i = 0; i < addr.length(); i++) {
            char c = addr.charAt(i);
            boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                    || (c >= 'A' && c <= 'F');
            if (!ok) return false;
        }
        try {
            // A literal never triggers a lookup.
            return InetAddress.getByName(addr) instanceof java.net.Inet6Address
                    || addr.contains("::ffff:");
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
