package dev.cfnet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The tests' name resolver: fixed answers for *.test names (and those a test registered with {@link #map}), the
 * system's for localhost and this machine's own name, and a refusal for anything else, so that no test can send a
 * DNS query off the machine.
 */
public final class TestResolverProvider extends InetAddressResolverProvider {
    /** "slow*.test" names (unique per test: the JDK caches answers) resolve only after this latch opens (or 10 s). */
    public static volatile CountDownLatch slowGate = new CountDownLatch(0);

    private static final Set<String> LOCAL = Set.of("localhost", "localhost.localdomain", "ip6-localhost",
            "ip6-loopback");
    private static final Map<String, List<InetAddress>> NAMES = new ConcurrentHashMap<>();

    /**
     * Makes {@code name} (a *.test name) resolve to {@code addresses}, in that order. The JDK caches answers, so a
     * test that needs a different answer needs a different name.
     */
    public static void map(String name, List<InetAddress> addresses) {
        if (!name.endsWith(".test")) throw new IllegalArgumentException("test names end in .test: " + name);
        NAMES.put(name.toLowerCase(Locale.ROOT), List.copyOf(addresses));
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        String self = configuration.lookupLocalHostName();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                String h = host.toLowerCase(Locale.ROOT);
                List<InetAddress> mapped = NAMES.get(h);
                if (mapped != null) return mapped.stream();
                switch (h) {
                    case "dual.test":
                        return Stream.of(addr("::1"), addr("127.0.0.1"));
                    case "v4.test":
                        return Stream.of(addr("127.0.0.1"));
                    case "v6.test":
                        return Stream.of(addr("::1"));
                    default:
                        break;
                }
                if (h.startsWith("slow") && h.endsWith(".test")) {
                        try {
                            slowGate.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return Stream.of(addr("127.0.0.1"));
                }
                if (h.startsWith("again") && h.endsWith(".test")) {
                    throw new UnknownHostException(host + ": Temporary failure in name resolution");
                }
                if (h.endsWith(".test") || h.endsWith(".invalid")) {
                    throw new UnknownHostException(host + ": Name or service not known");
                }
                if (LOCAL.contains(h) || h.equalsIgnoreCase(self) || h.equalsIgnoreCase(hostnameFile())) {
                    return builtin.lookupByName(host, policy);
                }
                throw new UnknownHostException(host + ": the test resolver refuses names that need DNS");
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    private static String hostnameFile() {
        try {
            return Files.readString(Path.of("/etc/hostname")).strip();
        } catch (Exception e) {
            return "";
        }
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String name() {
        return "cfnet-test-resolver";
    }
}
