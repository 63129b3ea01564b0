package dev.cfnet.demo;

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
import java.util.stream.Stream;

/**
 * The demo tests' name resolver: names a test registered with {@link #map} (e.g. a fault test's
 * {@code fallthrough-nio.test} to a blackholed address and a good one, in that order), the system's answer for
 * localhost and this machine's own name, "not known" for other *.test and *.invalid names, and a refusal for
 * anything else, so that no test can send a DNS query off the machine.
 */
public final class TestResolverProvider extends InetAddressResolverProvider {
    private static final Map<String, List<InetAddress>> NAMES = new ConcurrentHashMap<>();
    private static final Set<String> LOCAL = Set.of("localhost", "localhost.localdomain", "ip6-localhost",
            "ip6-loopback");

    /**
     * Makes {@code name} resolve to {@code addresses}, in that order. The JDK caches answers for 30 s, so a test
     * that needs a different answer needs a different name.
     */
    public static void map(String name, List<InetAddress> addresses) {
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

    @Override
    public String name() {
        return "cfnet-demo-test-resolver";
    }
}
