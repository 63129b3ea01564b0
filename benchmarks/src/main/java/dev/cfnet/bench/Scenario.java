package dev.cfnet.bench;

import java.util.List;

/** The scenarios, and which implementations each one runs. */
public enum Scenario {
    TCP_PINGPONG("TCP ping-pong, 64 B", "PingPongBench"),
    BULK("Bulk one-way, 64 MiB", "BulkBench"),
    CONNECT("Connect + first byte + close", "ConnectBench"),
    UDP_PINGPONG("UDP ping-pong, 64 B", "UdpPingPongBench"),
    EXECUTE("Cross-thread execute", "ExecuteBench"),
    SCALING("TCP ping-pong with N idle connections", "ScalingBench"),
    TLS_PINGPONG("TLS 1.3 ping-pong, 64 B", "TlsPingPongBench"),
    TLS_BULK("TLS 1.3 bulk one-way, 64 MiB", "TlsBulkBench");

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

    /** True for the 64 MiB transfers (reported in MB/s). */
    public boolean bulk() {
        return this == BULK || this == TLS_BULK;
    }

    /** The scenario whose JMH class has this simple name, or null. */
    public static Scenario ofBenchClass(String simpleName) {
        for (Scenario s : values()) {
            if (s.benchClass.equals(simpleName)) return s;
        }
        return null;
    }

    /** The scenario of a JMH benchmark id such as {@code dev.cfnet.bench.BulkBench.transfer64MiB}, or null. */
    public static Scenario ofBenchmark(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? null : ofBenchClass(parts[parts.length - 2]);
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
            case TLS_PINGPONG, TLS_BULK -> List.of(Impls.CFNET_NIO_PARK, Impls.CFNET_CF_PARK, Impls.NIO_SELECT,
                    Impls.NETTY_NIO);
        };
    }
}
