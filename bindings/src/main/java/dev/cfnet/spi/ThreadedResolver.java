package dev.cfnet.spi;

import dev.cfnet.Host;
import dev.cfnet.ResolveError;
import dev.cfnet.ResolveResult;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Name resolution on a few worker threads through {@link InetAddress#getAllByName} (so through the JDK's resolver,
 * including any {@code InetAddressResolverProvider}); the caller hands the result to its loop.
 */
public final class ThreadedResolver {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(4, 4, 2, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "cfnet-resolver-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    static {
        POOL.allowCoreThreadTimeOut(true);
    }

    private ThreadedResolver() {
    }

    /** Resolves on a worker thread and passes the result to {@code done} there. */
    public static Future<?> submit(String name, Consumer<ResolveResult> done) {
        return POOL.submit(() -> done.accept(resolveNow(name)));
    }

    /** Resolves on the calling thread. Literals need no lookup. */
    public static ResolveResult resolveNow(String name) {
        try {
            InetAddress[] all = Host.isIpv4Literal(name) || Host.isIpv6Literal(name)
                    ? new InetAddress[] {InetAddress.getByName(name)}
                    : InetAddress.getAllByName(name);
            if (all.length == 0) {
                return new ResolveResult.Failed(name, new ResolveError(ResolveError.Kind.NOT_FOUND, 0,
                        "no addresses"));
            }
            return new ResolveResult.Resolved(name, List.of(all));
        } catch (UnknownHostException e) {
            return new ResolveResult.Failed(name, recallTemporary(name, e, errorOf(name, e)));
        } catch (RuntimeException e) {
            // A resolver provider may throw anything; it is still a failed resolution, not a crash.
            return new ResolveResult.Failed(name, new ResolveError(ResolveError.Kind.OTHER, 0, String.valueOf(e)));
        }
    }

    // The JDK caches a failed lookup (networkaddress.cache.negative.ttl, 10 s by default) and answers a repeat with an
    // UnknownHostException that carries no reason, which would turn a temporary failure into "not found" and stop a
    // caller's retries. So we remember recent temporary failures for as long as the JDK caches them.
    private static final long NEGATIVE_TTL_NANOS = TimeUnit.SECONDS.toNanos(negativeTtlSeconds());
    private static final int RECENT_MAX = 1024;
    private static final Map<String, Long> RECENT_TEMPORARY = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > RECENT_MAX;
        }
    };

    static ResolveError recallTemporary(String name, UnknownHostException e, ResolveError error) {
        if (NEGATIVE_TTL_NANOS <= 0) {
            return error;
        }
        String key = name.toLowerCase(Locale.ROOT);
        long now = System.nanoTime();
        synchronized (RECENT_TEMPORARY) {
            if (error.kind() == ResolveError.Kind.TEMPORARY_FAILURE) {
                RECENT_TEMPORARY.put(key, now + NEGATIVE_TTL_NANOS);
                return error;
            }
            Long until = RECENT_TEMPORARY.get(key);
            if (until == null || now - until > 0) {
                RECENT_TEMPORARY.remove(key);
                return error;
            }
        }
        String m = e.getMessage();
        boolean noReason = m == null || m.isBlank() || m.strip().equalsIgnoreCase(name);
        return noReason ? new ResolveError(ResolveError.Kind.TEMPORARY_FAILURE, eaiAgain(),
                "temporary failure in name resolution (the JDK's cached answer)") : error;
    }

    /** The JDK's negative cache time in seconds: the security property, else the system property, else 10. */
    static long negativeTtlSeconds() {
        for (String v : new String[] {Security.getProperty("networkaddress.cache.negative.ttl"),
            System.getProperty("sun.net.inetaddr.negative.ttl")}) {
            if (v == null) {
                continue;
            }
            try {
                long ttl = Long.parseLong(v.strip());
                return ttl < 0 ? TimeUnit.DAYS.toSeconds(365) : ttl;   // -1: cached for ever
            } catch (NumberFormatException ignored) {
                // the JDK ignores a malformed value too
            }
        }
        return 10;
    }

    static ResolveError errorOf(String name, UnknownHostException e) {
        String m = String.valueOf(e.getMessage());
        // The JDK says "name: reason"; the result names the name already.
        if (m.regionMatches(true, 0, name, 0, name.length()) && m.startsWith(": ", name.length())) {
            m = m.substring(name.length() + 2);
        } else if (m.isBlank() || m.strip().equalsIgnoreCase(name) || m.equals("null")) {
            m = "not found (no reason given)";   // e.g. a repeat the JDK answers from its negative cache
        }
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("temporary failure") || lower.contains("try again")) {
            return new ResolveError(ResolveError.Kind.TEMPORARY_FAILURE, eaiAgain(), m);
        }
        return new ResolveError(ResolveError.Kind.NOT_FOUND, eaiNoName(), m);
    }

    /** EAI_NONAME of this OS (getaddrinfo's "no such name"). */
    public static int eaiNoName() {
        return dev.cfnet.posix.Constant.EAI_NONAME.value();
    }

    /** EAI_AGAIN of this OS (getaddrinfo's "try again"). */
    public static int eaiAgain() {
        return dev.cfnet.posix.Constant.EAI_AGAIN.value();
    }
}
