package dev.cfnet.bench;

import dev.cfnet.Backend;
import dev.cfnet.IdleStrategy;
import java.time.Duration;
import java.util.Optional;

/** Implementation names (the JMH {@code impl} parameter), their availability, and the factory. */
public final class Impls {
    /** cfnet, NIO backend, parking loops. */
    public static final String CFNET_NIO_PARK = "cfnet-nio-park";
    /** cfnet, NIO backend, spinning loops. */
    public static final String CFNET_NIO_SPIN = "cfnet-nio-spin";
    /** cfnet, NIO backend, spin 50 µs then park. */
    public static final String CFNET_NIO_SPIN_PARK = "cfnet-nio-spin50us";
    /** cfnet, NIO backend, parking, client on a library-owned loop: the benchmark thread hands over and waits. */
    public static final String CFNET_NIO_PARK_XTHREAD = "cfnet-nio-park-xthread";
    /** cfnet, CF backend (a real CoreFoundation), parking. */
    public static final String CFNET_CF_PARK = "cfnet-cf-park";
    /** java.net.Socket / DatagramSocket, one thread per side. */
    public static final String JAVA_BLOCKING = "java-blocking";
    /** A single-thread ThreadPoolExecutor (execute scenario only). */
    public static final String JAVA_EXECUTOR = "java-executor";
    /** Hand-written NIO Selector loop, blocking select() (for TLS: SSLEngine driven by hand over it). */
    public static final String NIO_SELECT = "nio-select";
    /** Hand-written NIO Selector loop spinning on selectNow(). */
    public static final String NIO_SPIN = "nio-spin";
    /** Netty, NIO transport (for TLS: SslHandler over a JDK SSLEngine). */
    public static final String NETTY_NIO = "netty-nio";
    /** Netty, native epoll transport (Linux). */
    public static final String NETTY_EPOLL = "netty-epoll";
    /** Netty, native kqueue transport (macOS). */
    public static final String NETTY_KQUEUE = "netty-kqueue";

    /** The C programs' rows (not JMH; see NativeRunner). */
    public static final String C_BLOCKING = "c-blocking";
    public static final String C_POLL = "c-poll";
    public static final String C_CFSOCKET = "c-cfsocket";

    private Impls() {
    }

    /** Why {@code impl} cannot run in this JVM; empty when it can. */
    public static Optional<String> unavailableReason(String impl) {
        if (impl.startsWith("cfnet-cf")) {
            return Backend.CF.unavailableReason();
        }
        return switch (impl) {
            case NETTY_EPOLL -> NettyImpls.Transport.EPOLL.unavailableReason();
            case NETTY_KQUEUE -> NettyImpls.Transport.KQUEUE.unavailableReason();
            default -> Optional.empty();
        };
    }

    /** Builds {@code impl} for {@code scenario}; {@code idle} counts idle connections (SCALING only). */
    public static BenchOp create(Scenario scenario, String impl, int idle) throws Exception {
        unavailableReason(impl).ifPresent(why -> {
            throw new IllegalStateException(impl + " is not available here: " + why);
        });
        if (impl.startsWith("cfnet-")) {
            return CfnetImpls.create(scenario, cfnetSpec(impl), idle);
        }
        return switch (impl) {
            case JAVA_BLOCKING, JAVA_EXECUTOR -> BlockingImpls.create(scenario);
            case NIO_SELECT -> NioImpls.create(scenario, false, idle);
            case NIO_SPIN -> NioImpls.create(scenario, true, idle);
            case NETTY_NIO -> NettyImpls.create(scenario, NettyImpls.Transport.NIO);
            case NETTY_EPOLL -> NettyImpls.create(scenario, NettyImpls.Transport.EPOLL);
            case NETTY_KQUEUE -> NettyImpls.create(scenario, NettyImpls.Transport.KQUEUE);
            default -> throw new IllegalArgumentException("unknown implementation " + impl);
        };
    }

    /** Backend, idle strategy and client placement of a cfnet implementation name. */
    record CfnetSpec(Backend backend, IdleStrategy idle, boolean crossThread) {
    }

    static CfnetSpec cfnetSpec(String impl) {
        return switch (impl) {
            case CFNET_NIO_PARK -> new CfnetSpec(Backend.NIO, IdleStrategy.park(), false);
            case CFNET_NIO_SPIN -> new CfnetSpec(Backend.NIO, IdleStrategy.spin(), false);
            case CFNET_NIO_SPIN_PARK ->
                    new CfnetSpec(Backend.NIO, IdleStrategy.spinThenPark(Duration.ofNanos(50_000)), false);
            case CFNET_NIO_PARK_XTHREAD -> new CfnetSpec(Backend.NIO, IdleStrategy.park(), true);
            case CFNET_CF_PARK -> new CfnetSpec(Backend.CF, IdleStrategy.park(), false);
            default -> throw new IllegalArgumentException("unknown cfnet implementation " + impl);
        };
    }

    /**
     * True for the implementations whose loops spin, at least between close events (compared with nio-spin rather
     * than nio-select): spin, and spin-then-park, which spins throughout a ping-pong.
     */
    public static boolean spins(String impl) {
        return impl.equals(CFNET_NIO_SPIN) || impl.equals(CFNET_NIO_SPIN_PARK) || impl.equals(NIO_SPIN);
    }
}
