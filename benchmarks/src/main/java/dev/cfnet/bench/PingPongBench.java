package dev.cfnet.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/** Scenario 1: one 64-byte TCP round trip over loopback (client sends, server echoes, client has all 64 bytes). */
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PingPongBench extends ScenarioBench {
    /** The implementation (see {@link Impls}), read by {@link ScenarioBench}; BenchMain passes the available ones. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-nio-spin50us", "cfnet-nio-park-xthread", "cfnet-cf-park",
            "java-blocking", "nio-select", "nio-spin", "netty-nio", "netty-epoll", "netty-kqueue"})
    public String impl;

    @Benchmark
    public void roundTrip() throws Exception {
        op.op();
    }
}
