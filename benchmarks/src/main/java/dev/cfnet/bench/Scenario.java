package dev.cfnet.bench;

import java.util.List;

/** The six scenarios, and which implementations each one runs. */
public enum Scenario {
    TCP_PINGPONG("TCP ping-pong, 64 B", "PingPongBench"),
    BULK("Bulk one-way, 64 MiB", "BulkBench"),
    CONNECT("Connect + first byte + close", "ConnectBench"),
    UDP_PINGPONG("UDP ping-pong, 64 B", "UdpPingPongBench"),
    EXECUTE("Cross-thread execute", "ExecuteBench"),
    SCALING("TCP ping-pong with N idle connections", "ScalingBench");

    private final String title;
    private final String benchClass;

    Scenario(String title, String benchClass) {
        this.title = title;
        this.benchClass = benchClass;
    }

    public String title() {
        return title;
    }

    /** Simple name of the JMH class. */
    public String benchClass() {
        return benchClass;
    }

    /** The scenario whose JMH class has this simple name, or null. */
    public static Scenario ofBenchClass(String simpleName) {
        for (Scenario s : values()) {
            if (s.benchClass.equals(simpleName)) return s;
        }
        return null;
    }

    /** The Java implementations of this scenario (availability is checked separately). */
    public List<String> javaImpls() {
        return switch (this) {
            case TCP_PINGPONG -> List.of(Impls.CFNET_NIO_PARK, Impls.CFNET_NIO_SPIN, Impls.CFNET_NIO_SPIN_PARK,
                    Impls.CFNET_NIO_PARK_XTHREAD, Impls.CFNET_CF_PARK, Impls.JAVA_BLOCKING, Impls.NIO_SELECT,
                    Impls.NIO_SPIN, Impls.NETTY_NIO, Impls.NETTY_EPOLL, Impls.NETTY_KQUEUE);
            case BULK, CONNECT, UDP_PINGPONG -> List.of(Impls.CFNET_NIO_PARK, Impls.CFNET_NIO_SPIN,
                    Impls.CFNET_CF_PARK, Impls.JAVA_BLOCKING, Impls.NIO_SELECT, Impls.NIO_SPIN, Impls.NETTY_NIO,
                    Impls.NETTY_EPOLL, Impls.NETTY_KQUEUE);
            case EXECUTE -> List.of(Impls.CFNET_NIO_PARK, Impls.CFNET_NIO_SPIN, Impls.CFNET_NIO_SPIN_PARK,
                    Impls.CFNET_CF_PARK, Impls.JAVA_EXECUTOR, Impls.NIO_SELECT, Impls.NIO_SPIN, Impls.NETTY_NIO,
                    Impls.NETTY_EPOLL, Impls.NETTY_KQUEUE);
            case SCALING -> List.of(Impls.CFNET_NIO_PARK, Impls.CFNET_NIO_SPIN, Impls.CFNET_CF_PARK,
                    Impls.NIO_SELECT, Impls.NIO_SPIN);
        };
    }
}
