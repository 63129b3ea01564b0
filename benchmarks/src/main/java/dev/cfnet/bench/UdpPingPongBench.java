package dev.cfnet.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/** Scenario 4: one 64-byte UDP round trip over loopback (connected client, server echoes to the source). */
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UdpPingPongBench extends ScenarioBench {
    /** The implementation (see {@link Impls}), read by {@link ScenarioBench}; BenchMain passes the available ones. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-cf-park", "java-blocking", "nio-select", "nio-spin", "netty-nio",
            "netty-epoll", "netty-kqueue"})
    public String impl;

    @Benchmark
    public void roundTrip() throws Exception {
        op.op();
    }
}
