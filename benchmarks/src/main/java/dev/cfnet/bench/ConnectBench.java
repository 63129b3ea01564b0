package dev.cfnet.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/** Scenario 3: connect, receive the server's one-byte greeting, close; connections per second. */
@BenchmarkMode({Mode.Throughput})
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConnectBench extends ScenarioBench {
    /** The implementation (see {@link Impls}), read by {@link ScenarioBench}; BenchMain passes the available ones. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-cf-park", "java-blocking", "nio-select", "nio-spin", "netty-nio",
            "netty-epoll", "netty-kqueue"})
    public String impl;

    @Benchmark
    public void connectReadClose() throws Exception {
        op.op();
    }
}
