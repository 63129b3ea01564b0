package dev.cfnet.spi;

import dev.cfnet.Host;
import dev.cfnet.ResolveError;
import dev.cfnet.ResolveResult;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
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
            return new ResolveResult.Failed(name, errorOf(e));
        } catch (RuntimeException e) {
            // A resolver provider may throw anything; it is still a failed resolution, not a crash.
            return new ResolveResult.Failed(name, new ResolveError(ResolveError.Kind.OTHER, 0, String.valueOf(e)));
        }
    }

    static ResolveError errorOf(UnknownHostException e) {
        String m = String.valueOf(e.getMessage());
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("temporary failure") || lower.contains("try again")) {
            return new ResolveError(ResolveError.Kind.TEMPORARY_FAILURE, eaiAgain(), m);
        }
        return new ResolveError(ResolveError.Kind.NOT_FOUND, eaiNoName(), m);
    }

    /** EAI_NONAME: -2 on glibc, 8 on macOS. */
    public static int eaiNoName() {
        return Os.current() == Os.MACOS ? 8 : -2;
    }

    /** EAI_AGAIN: -3 on glibc, 2 on macOS. */
    public static int eaiAgain() {
        return Os.current() == Os.MACOS ? 2 : -3;
    }
}
